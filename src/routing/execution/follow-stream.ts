import type { ChatModel, ChatRequest, StreamEvents, StreamPart } from '../../contract/index.js';
import { UpstreamError } from '../../errors/index.js';
import { countUsageLocally } from '../../providers/shared/index.js';
import type { AttemptLog } from './attempt-log.js';
import type { Served } from './candidate-runner.js';
import { toGatewayError } from './classify-failure.js';

/** A stream whose first part arrived: the attempt stays open until the stream ends. */
export interface OpenStream {
  first: StreamPart;
  rest: AsyncIterator<StreamPart>;
}

/**
 * Starts a model's stream and waits for its first part, so that a model failing before it can
 * still be replaced by a fallback. The first part is pulled here, once; `followStream` hands it on.
 */
export async function openStream(
  model: ChatModel,
  request: ChatRequest,
  signal: AbortSignal,
  events?: StreamEvents,
): Promise<OpenStream> {
  const iterator = model.doStream(request, signal, events)[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) {
    throw new UpstreamError({
      message: `Model '${model.name}' ended its stream without answering.`,
      code: 'upstream_invalid_response',
      status: 502,
      isRetryable: true,
    });
  }
  if (first.value.type === 'error') {
    await iterator.return?.();
    throw first.value.error;
  }
  return { first: first.value, rest: iterator };
}

/**
 * Passes an opened stream through and closes its attempt (latency, status, usage, cost, the
 * circuit's verdict) when it ends, however it ends. A finished attempt is closed before its
 * `finish` part is handed on: whoever reads the stream reports the cost as soon as it sees that
 * part. A stream cut short is costed from what it generated, counted here.
 */
export async function* followStream(
  served: Served<OpenStream>,
  request: ChatRequest,
  log: AttemptLog,
  signal: AbortSignal,
  now: () => number,
): AsyncGenerator<StreamPart> {
  const { attempt, breaker, model, meter } = served;
  let generated = '';
  let closed = false;
  let failure: unknown;
  let part: StreamPart | undefined = served.value.first;
  try {
    while (part) {
      if (part.type === 'text-delta') generated += part.delta;
      else if (part.type === 'tool-call-delta') generated += part.argumentsDelta;
      else if (part.type === 'finish') {
        attempt.latencyMs = now() - served.startedAt;
        attempt.usage = part.usage;
        attempt.modelId = part.modelId;
        if (part.confidence) attempt.confidence = part.confidence.meanTokenProbability;
        attempt.costUsd = meter.finish(part.usage, part.modelId);
        log.usage = part.usage;
        breaker.recordSuccess();
        closed = true;
        yield part;
        return;
      } else {
        failure = part.error;
        break;
      }
      yield part;
      const next: IteratorResult<StreamPart> = await served.value.rest.next();
      part = next.done ? undefined : next.value;
    }
    failure ??= new UpstreamError({
      message: `Model '${model.name}' ended its stream before the answer was complete.`,
      code: 'upstream_invalid_response',
      status: 502,
      isRetryable: false,
    });
    throw failure;
  } catch (error) {
    failure ??= error;
    throw error;
  } finally {
    if (!closed) {
      attempt.latencyMs = now() - served.startedAt;
      // The upstream may bill what it generated before the cut; count it rather than call it free.
      attempt.usage = countUsageLocally(request, generated, (text) => model.countTokens(text));
      log.usage = attempt.usage;
      if (signal.aborted) {
        attempt.status = 'aborted';
        attempt.errorCode = 'client_closed';
        breaker.release();
      } else {
        const error = toGatewayError(failure ?? new Error('its stream was not read to the end'), model);
        attempt.status = 'error';
        attempt.errorCode = error.code;
        attempt.errorMessage = error.message;
        attempt.errorStatus = error.status;
        breaker.recordFailure();
      }
      attempt.costUsd = meter.finish(attempt.usage, attempt.modelId);
      await served.value.rest.return?.();
    }
  }
}
