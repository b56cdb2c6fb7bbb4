import type { EscalationConfig } from '../../config/index.js';
import type { ChatRequest, ChatResult, EscalationReason } from '../../contract/index.js';
import { findValueProblem } from './json-schema-validators.js';
import { runVerifiers, VERIFIERS } from './verifiers/index.js';

/** Why a small model's answer is not good enough (bounded: used as a metric label). */
export type { EscalationReason };

export interface FailedCheck {
  reason: EscalationReason;
  /** A short sentence for the route-reason header and the log. */
  detail: string;
}

function checkToolCalls(result: ChatResult, request: ChatRequest): string | undefined {
  for (const call of result.toolCalls) {
    const tool = request.tools?.find((candidate) => candidate.name === call.name);
    if (!tool) return `it called unknown tool '${call.name}'`;
    let args: unknown;
    try {
      args = JSON.parse(call.arguments || '{}');
    } catch {
      return `the arguments of '${call.name}' are not JSON`;
    }
    const problem = findValueProblem(tool.parameters, args);
    if (problem) return `the arguments of '${call.name}' do not fit its schema: ${problem}`;
  }
  return undefined;
}

function checkJson(result: ChatResult, request: ChatRequest): string | undefined {
  const format = request.responseFormat;
  if (!format || format.type === 'text' || result.toolCalls.length > 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(result.text);
  } catch {
    return 'the answer is not valid JSON';
  }
  if (format.type === 'json_object') {
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? undefined
      : 'the answer is JSON but not an object';
  }
  const problem = findValueProblem(format.schema, value);
  return problem ? `the answer does not fit the schema: ${problem}` : undefined;
}

/**
 * Checks an answer of the escalation's `from` model, cheapest and most certain checks first.
 * Returns the first failure, or undefined when the answer may be served. Confidence is judged only
 * when the backend reported it (an answer with no token probabilities is not "unconfident").
 */
export function checkAnswer(
  result: ChatResult,
  request: ChatRequest,
  config: EscalationConfig,
): FailedCheck | undefined {
  if (config.onEmpty && result.text.trim() === '' && result.toolCalls.length === 0) {
    return { reason: 'empty', detail: 'the answer was empty' };
  }
  if (config.onInvalidToolCall && result.toolCalls.length > 0) {
    const problem = checkToolCalls(result, request);
    if (problem) return { reason: 'invalid_tool_call', detail: problem };
  }
  if (config.onInvalidJson) {
    const problem = checkJson(result, request);
    if (problem) return { reason: 'invalid_json', detail: problem };
  }
  if (config.verifiers.length > 0 && result.text !== '') {
    const prompt = [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
    const failed = runVerifiers(
      config.verifiers.map((name) => VERIFIERS[name] as NonNullable<(typeof VERIFIERS)[string]>),
      prompt,
      result.text,
    );
    if (failed) {
      return {
        reason: `verifier:${failed.verifier}` as EscalationReason,
        detail: `${failed.verifier} check: ${failed.reason}`,
      };
    }
  }
  const mean = result.confidence?.meanTokenProbability;
  if (config.minConfidence !== undefined && mean !== undefined && mean < config.minConfidence) {
    return {
      reason: 'low_confidence',
      detail: `mean token probability ${mean.toFixed(2)} is below ${config.minConfidence}`,
    };
  }
  return undefined;
}
