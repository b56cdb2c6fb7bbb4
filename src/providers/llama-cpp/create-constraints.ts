import type { ChatModelFunctions, LlamaGrammar } from 'node-llama-cpp';
import type { ChatRequest } from '../../contract/index.js';
import { convertToGrammarSchema } from './convert-to-grammar-schema.js';
import { type ForcedToolCall, planForcedToolCall } from './forced-tool-call.js';
import type { GrammarCache } from './grammar-cache.js';

export interface Constraints {
  /** The answer must match this grammar (a response format, or a forced call's arguments). */
  grammar?: LlamaGrammar;
  /** Tools the model may call in node-llama-cpp's own function-calling syntax. */
  functions?: ChatModelFunctions;
  /** The answer is one call of these tools, read from the grammar-shaped text. */
  forcedCall?: ForcedToolCall;
}

/**
 * What shapes the answer: a forced tool call (`required` or a named function) is a grammar over
 * the call; offered tools with `auto` go to node-llama-cpp's function calling, which lets the
 * model choose between text and a call; otherwise the response format's grammar, if any. Every
 * schema is turned into a grammar here, so a bad one is a 400 before the request takes a sequence.
 */
export async function createConstraints(request: ChatRequest, grammars: GrammarCache): Promise<Constraints> {
  const format = request.responseFormat;
  const tools = request.tools ?? [];
  if (tools.length > 0 && request.toolChoice !== 'none') {
    await Promise.all(
      tools.map((tool, index) => grammars.get(tool.parameters, `tools[${index}].function.parameters`)),
    );
    const forcedCall = planForcedToolCall(request);
    if (forcedCall) {
      const grammar = await grammars.get(forcedCall.grammarSchema, 'tool_choice', { converted: true });
      return { grammar, forcedCall };
    }
    const functions: ChatModelFunctions = Object.fromEntries(
      tools.map((tool) => [
        tool.name,
        {
          // biome-ignore lint/suspicious/noExplicitAny: validated above by building its grammar.
          params: convertToGrammarSchema(tool.parameters) as any,
          ...(tool.description !== undefined ? { description: tool.description } : {}),
        },
      ]),
    );
    return { functions };
  }
  if (format?.type === 'json_schema') {
    return { grammar: await grammars.get(format.schema, 'response_format.json_schema.schema') };
  }
  if (format?.type === 'json_object') return { grammar: await grammars.get('json', 'response_format') };
  return {};
}
