import { type Agent, request } from 'undici';

/** What the soak's clients saw, request by request, summed. */
export interface SoakCounts {
  sent: number;
  /** Requests whose answer's status line arrived: the gateway accepted them. */
  accepted: number;
  /** Whole answers: a completion, or a stream that ended with [DONE]. */
  ok: number;
  /** Errors in OpenAI's envelope, or a stream that ended with one error event. */
  wellFormedError: number;
  /** Streams the client left after their first chunk, on purpose. */
  clientAborted: number;
  /**
   * Streams the client meant to leave whose first read already held the whole answer, `[DONE]`
   * included (the client was slow to read): the gateway had finished them, and logs them as 200s.
   */
  leftAfterEnd: number;
  /** Answers that were neither of the above. */
  malformed: number;
  /** Requests that never got a status line. */
  transportError: number;
  statuses: Record<string, number>;
}

export function createSoakCounts(): SoakCounts {
  return {
    sent: 0,
    accepted: 0,
    ok: 0,
    wellFormedError: 0,
    clientAborted: 0,
    leftAfterEnd: 0,
    malformed: 0,
    transportError: 0,
    statuses: {},
  };
}

const bodies = [false, true].map((stream) =>
  JSON.stringify({
    model: 'auto',
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
    messages: [{ role: 'user', content: 'Where is my order? It was due yesterday.' }],
  }),
);

function isErrorEnvelope(text: string): boolean {
  try {
    const error = (JSON.parse(text) as { error?: { message?: unknown; code?: unknown } }).error;
    return typeof error?.message === 'string' && typeof error.code === 'string';
  } catch {
    return false;
  }
}

function classify(status: number, stream: boolean, text: string, counts: SoakCounts): void {
  if (status >= 400) {
    if (isErrorEnvelope(text)) counts.wellFormedError += 1;
    else counts.malformed += 1;
    return;
  }
  if (!stream) {
    const answer = (() => {
      try {
        return JSON.parse(text) as { choices?: unknown[] };
      } catch {
        return undefined;
      }
    })();
    if (status === 200 && Array.isArray(answer?.choices)) counts.ok += 1;
    else counts.malformed += 1;
    return;
  }
  const events = text.split('\n\n').filter((event) => event !== '');
  const last = events.at(-1) ?? '';
  if (last === 'data: [DONE]') counts.ok += 1;
  else if (last.startsWith('data: ') && isErrorEnvelope(last.slice('data: '.length)))
    counts.wellFormedError += 1;
  else counts.malformed += 1;
}

/**
 * Sends request number `index` of the mix: even numbers stream, odd ones do not; every tenth
 * (a streamed one) is left by its client after the first chunk, so that a tenth of all requests
 * are client aborts. Never throws; everything lands in `counts`.
 */
export async function sendSoakRequest(
  url: string,
  agent: Agent,
  index: number,
  counts: SoakCounts,
): Promise<void> {
  const stream = index % 2 === 0;
  const leave = index % 10 === 0;
  counts.sent += 1;
  let accepted = false;
  try {
    const response = await request(`${url}/v1/chat/completions`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json' },
      body: bodies[stream ? 1 : 0],
    });
    accepted = true;
    counts.accepted += 1;
    counts.statuses[response.statusCode] = (counts.statuses[response.statusCode] ?? 0) + 1;
    if (leave && response.statusCode === 200) {
      let first = '';
      for await (const chunk of response.body) {
        first = String(chunk);
        break;
      }
      response.body.destroy();
      if (first.includes('data: [DONE]')) counts.leftAfterEnd += 1;
      else counts.clientAborted += 1;
      return;
    }
    classify(response.statusCode, stream, await response.body.text(), counts);
  } catch {
    if (accepted) counts.malformed += 1;
    else counts.transportError += 1;
  }
}
