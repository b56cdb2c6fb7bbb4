import type { PriceBook } from '../accounting/index.js';
import type { ContentLogging } from '../config/index.js';
import type {
  ChatRequest,
  ChatResult,
  EscalationOutcome,
  RequestOutcome,
  RouteDecision,
  RouteReason,
  StreamPart,
  Usage,
} from '../contract/index.js';
import { type GatewayError, isGatewayError } from '../errors/index.js';
import { AttemptLog, decideRouteReason, describeRouteReason, redactPii } from '../routing/index.js';
import type { Access, Admission } from './access/access-control.js';
import type { ChatInput } from './chat-input.js';
import type { AnswerSummary, RouteHeaders } from './chat-responder.js';
import type { AnswerText } from './shadow/score-shadow-answer.js';

/** What a request's answer settled on: decided once, read by its headers and by its outcome. */
interface Settlement {
  servedModel: string | null;
  reason: RouteReason | null;
  reasonText: string | null;
  escalation: EscalationOutcome | null;
  usage: Usage | null;
  costUsd: number | null;
  baselineCostUsd: number | null;
}

/** How the request ended, as the client saw it. */
type Ending = { status: number; error?: { code: string; message: string } };

export interface TraceSettings {
  priceBook: PriceBook;
  content: ContentLogging;
  configHash: string;
  now: () => number;
}

/**
 * Everything learnt about one request while it runs: the decision, the attempt log, when the
 * first answer byte went out, the answer text for content logging. `settle` decides the route
 * reason and cost once the answer is complete; `finish` builds the one RequestOutcome.
 */
export class RequestTrace {
  readonly log = new AttemptLog();
  decision: RouteDecision | null = null;
  request: ChatRequest | null = null;
  stream = false;
  tenant: string | null;
  /** The virtual key that authorised the request, when keys are on. */
  keyId: string | null = null;
  /** What the keyed request reserved, settled once it ends. */
  admission: Admission | undefined;
  /** The answer as the client got it, when kept (`keepAnswer`). */
  answer: AnswerText | undefined;
  private firstByteAt: number | undefined;
  private responseText: string | undefined;
  private settlement: Settlement | undefined;
  private ending: Ending | undefined;

  constructor(
    readonly input: ChatInput,
    private readonly settings: TraceSettings,
  ) {
    this.tenant = input.tenant;
  }

  /** With a key, its tenant is the request's, whatever the client says. */
  begin(request: ChatRequest, stream: boolean, access: Access | undefined): void {
    this.request = request;
    this.stream = stream;
    if (access) {
      this.tenant = access.tenant.name;
      this.keyId = access.key.id;
    } else this.tenant ??= request.metadata?.tenant ?? null;
  }

  /** The route headers as they stand now (`servedBy`: the model answering so far). */
  describeRoute(servedBy: string): RouteHeaders {
    const decision = this.decision as RouteDecision;
    return {
      model: servedBy,
      reasonText: describeRouteReason(decideRouteReason(decision, this.log, servedBy)),
      escalated: this.log.escalation?.escalated ?? false,
    };
  }

  /** The answer's part went to the client: the first one marks the time to first byte. */
  notePart(part: StreamPart): void {
    this.firstByteAt ??= this.settings.now();
    if (this.answer) collectPart(this.answer, part);
    if (this.settings.content === 'none') return;
    if (part.type === 'text-delta') this.responseText = (this.responseText ?? '') + part.delta;
  }

  /** Keep the answer's text and tool calls whatever content logging says (a shadow compares them). */
  keepAnswer(): void {
    this.answer ??= { text: '', toolCalls: [] };
  }

  /** The whole answer of a JSON request. */
  noteResult(result: ChatResult): void {
    if (this.answer) this.answer = { text: result.text, toolCalls: result.toolCalls };
    this.noteResponseText(result.text || JSON.stringify(result.toolCalls));
  }

  noteResponseText(text: string): void {
    if (this.settings.content !== 'none') this.responseText = text;
  }

  /** Decides the served model, the reason and the cost: once, after every attempt has ended. */
  settle(): Settlement {
    if (this.settlement) return this.settlement;
    const { decision, log } = this;
    const reason = decision ? decideRouteReason(decision, log) : null;
    this.settlement = {
      servedModel: log.servedBy ?? null,
      reason,
      reasonText: reason ? describeRouteReason(reason) : null,
      escalation: log.escalation ? { ...log.escalation } : null,
      usage: log.usage ?? null,
      costUsd: sumAttemptCost(log),
      baselineCostUsd: this.settings.priceBook.computeBaselineCost(log.usage),
    };
    return this.settlement;
  }

  /** The settled facts as headers and trailers carry them. */
  summarize(): AnswerSummary {
    const settlement = this.settle();
    return {
      model: settlement.servedModel ?? this.decision?.target ?? '',
      reasonText: settlement.reasonText ?? '',
      escalated: settlement.escalation?.escalated ?? false,
      costUsd: settlement.costUsd,
      baselineCostUsd: settlement.baselineCostUsd,
    };
  }

  succeed(): void {
    this.ending ??= { status: 200 };
  }

  /** A failure: before the answer began, its status; inside an opened stream, a 200 with its code. */
  fail(error: GatewayError, opened: boolean): void {
    this.ending ??= {
      status: opened ? 200 : error.status,
      error: { code: error.code, message: error.message },
    };
  }

  /** The one record of this request. A client that left before its answer was complete is a 499. */
  finish(): RequestOutcome {
    const { input, log, decision } = this;
    const settlement = this.settle();
    const endedAt = this.settings.now();
    const latencyMs = endedAt - input.receivedAtMonotonic;
    let ending = this.ending ?? {
      status: 500,
      error: { code: 'internal_error', message: 'the request had no ending' },
    };
    // However it failed, a client that had left first saw nothing of it; the abort's reason says
    // why it left (it closed, or it stopped reading and the gateway ended its stream).
    if (ending.error && input.signal.aborted) ending = describeDeparture(input.signal.reason);
    const succeeded = ending.status < 400;
    const upstreamMs = log.sumLatencyMs();
    return {
      id: input.id,
      api: input.api,
      startedAt: input.receivedAt,
      tenant: this.tenant,
      keyId: this.keyId,
      user: this.request?.user ?? null,
      requestedModel: input.requestedModel,
      stream: this.stream,
      decision,
      reason: settlement.reason,
      reasonText: settlement.reasonText,
      escalation: settlement.escalation,
      attempts: log.attempts,
      servedModel: succeeded ? settlement.servedModel : null,
      status: ending.status,
      error: ending.error ?? null,
      usage: settlement.usage,
      costUsd: settlement.costUsd,
      baselineCostUsd: settlement.baselineCostUsd,
      timings: {
        latencyMs,
        ttftMs:
          this.firstByteAt !== undefined
            ? this.firstByteAt - input.receivedAtMonotonic
            : succeeded && !this.stream
              ? latencyMs
              : null,
        upstreamMs,
        backoffMs: log.backoffMs,
        overheadMs: latencyMs - upstreamMs - log.backoffMs,
      },
      configHash: this.settings.configHash,
      content: this.describeContent(),
    };
  }

  private describeContent(): { request: string | null; response: string | null } {
    const mode = this.settings.content;
    if (mode === 'none') return { request: null, response: null };
    const prompt = this.request?.messages.map((message) => `${message.role}: ${message.content}`).join('\n');
    // Routing already scanned these messages when it looked for PII (role names add none).
    const piiFree = this.decision?.piiScanned === true && this.decision.piiKinds.length === 0;
    const keep = (text: string | undefined, scanned: boolean) =>
      text === undefined ? null : mode === 'full' || scanned ? text : redactPii(text);
    return { request: keep(prompt, piiFree), response: keep(this.responseText, false) };
  }
}

const clientClosed = { code: 'client_closed', message: 'The client closed the request before it completed.' };

function describeDeparture(reason: unknown): Ending {
  if (!isGatewayError(reason)) return { status: 499, error: clientClosed };
  return { status: reason.status, error: { code: reason.code, message: reason.message } };
}

/** What every attempt together cost; null when any attempt's price is unknown, 0 with none. */
function sumAttemptCost(log: AttemptLog): number | null {
  let total = 0;
  for (const attempt of log.attempts) {
    if (attempt.status === 'skipped') continue;
    if (attempt.costUsd === null) return null;
    total += attempt.costUsd;
  }
  // Sums of binary fractions drift in the last digits; round to a nano-dollar.
  return Math.round(total * 1e9) / 1e9;
}

/** Adds a streamed part to a kept answer: text appended, tool-call deltas joined by index. */
function collectPart(answer: AnswerText, part: StreamPart): void {
  if (part.type === 'text-delta') answer.text += part.delta;
  else if (part.type === 'tool-call-delta') {
    const call = answer.toolCalls[part.index] ?? { id: '', name: '', arguments: '' };
    answer.toolCalls[part.index] = call;
    if (part.id !== undefined) call.id = part.id;
    if (part.name !== undefined) call.name = part.name;
    call.arguments += part.argumentsDelta;
  }
}
