import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';

/**
 * What the upstream does, chosen by the model id the gateway sends, so that one server plays every
 * part at once and each configured model is one behaviour:
 * - `endless`: a stream of content chunks that never ends (as fast as the reader takes them);
 * - `endless-big`: the same with 64 KiB of content in each chunk (few events, many bytes);
 * - `endless-comments`: a stream of SSE comments only, never an event, never an end;
 * - `huge-line-<MB>`: a stream whose first event is one line of that many megabytes;
 * - `stall`: a stream that sends one token, then nothing, and never ends;
 * - `huge-json-<MB>`: a JSON answer of that many megabytes;
 * - anything else: a short, well-formed answer, streamed or not.
 * A model id may name a real model first (`gpt-4o-mini:stall`), so that the gateway counts its
 * tokens with that model's tokenizer.
 */
export type HostileBehaviour = string;

/** One request the upstream received, and how it ended. */
export interface HostileRequest {
  model: string;
  stream: boolean;
  /** Body bytes written to the gateway (those it took; a stalled reader takes none). */
  bytesSent: number;
  /** Resolves once the exchange is over; `aborted` when the gateway closed it before the end. */
  ended: Promise<{ aborted: boolean }>;
}

export interface HostileUpstream {
  /** Base URL with `/v1`. */
  baseUrl: string;
  requests: HostileRequest[];
  close(): Promise<void>;
}

const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

const ANSWER = {
  id: 'c',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
};

/** Writes `text`, waiting while the reader is behind; false once the connection is gone. */
async function send(response: ServerResponse, record: HostileRequest, text: string): Promise<boolean> {
  if (response.destroyed) return false;
  record.bytesSent += Buffer.byteLength(text);
  if (!response.write(text)) {
    await new Promise<void>((resolve) => {
      const done = () => {
        response.off('drain', done);
        response.off('close', done);
        resolve();
      };
      response.on('drain', done);
      response.on('close', done);
    });
  }
  return !response.destroyed;
}

async function play(modelId: string, stream: boolean, response: ServerResponse, record: HostileRequest) {
  const model = modelId.slice(modelId.indexOf(':') + 1);
  const megabytes = Number(/-(\d+)$/.exec(model)?.[1] ?? 0);
  if (model.startsWith('huge-json-')) {
    const content = 'x'.repeat(megabytes * 1024 * 1024);
    const body = JSON.stringify({ ...ANSWER, choices: [{ ...ANSWER.choices[0], message: { content } }] });
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    await send(response, record, body);
    response.end();
    return;
  }
  if (!stream) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(ANSWER));
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  if (!(await send(response, record, chunk({ role: 'assistant', content: '' })))) return;
  if (model === 'endless-big') {
    const content = 'x'.repeat(64 * 1024);
    while (await send(response, record, chunk({ content }))) await nextTurn();
    return;
  }
  if (model === 'endless') {
    for (let index = 0; await send(response, record, chunk({ content: ` word${index}` })); index += 1) {
      if (index % 64 === 63) await nextTurn();
    }
    return;
  }
  if (model === 'endless-comments') {
    while (await send(response, record, ': still thinking\n\n')) await sleep(20);
    return;
  }
  if (model === 'stall') {
    await send(response, record, chunk({ content: 'Once' }));
    await once(response, 'close');
    return;
  }
  if (model.startsWith('huge-line-')) {
    const piece = 'x'.repeat(64 * 1024);
    if (!(await send(response, record, 'data: {"choices":[{"index":0,"delta":{"content":"'))) return;
    for (let sent = 0; sent < megabytes * 1024 * 1024; sent += piece.length) {
      if (!(await send(response, record, piece))) return;
    }
    await send(response, record, '"}}]}\n\ndata: [DONE]\n\n');
    response.end();
    return;
  }
  for (const word of ['Hello', ' from', ' the', ' good', ' one.'])
    await send(response, record, chunk({ content: word }));
  await send(response, record, chunk({}, 'stop'));
  await send(response, record, 'data: [DONE]\n\n');
  response.end();
}

/** An OpenAI-compatible upstream that misbehaves in the ways `HostileBehaviour` lists. */
export async function startHostileUpstream(): Promise<HostileUpstream> {
  const requests: HostileRequest[] = [];
  const server: Server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const part of request) chunks.push(part as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string; stream?: boolean };
    let finished = false;
    const record: HostileRequest = {
      model: body.model,
      stream: body.stream === true,
      bytesSent: 0,
      ended: new Promise((resolve) =>
        response.once('close', () => resolve({ aborted: !finished || !response.writableFinished })),
      ),
    };
    response.once('finish', () => {
      finished = true;
    });
    requests.push(record);
    await play(body.model, record.stream, response, record).catch(() => response.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
}
