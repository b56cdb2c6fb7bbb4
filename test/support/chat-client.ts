import { request } from 'node:http';

/** What a client saw of one chat completion: status, headers, SSE events or JSON, trailers. */
export interface ChatExchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed `data:` payloads of a stream (`[DONE]` kept as the string). */
  events: unknown[];
  /** The parsed body of an unstreamed answer. */
  json: unknown;
  trailers: Record<string, string | undefined>;
  /** True when the client stopped reading on purpose (`abortAfterEvents`). */
  aborted: boolean;
}

/**
 * POSTs a chat completion over node:http, which (unlike fetch) exposes HTTP trailers. With
 * `abortAfterEvents`, the client destroys its socket once it has read that many SSE events.
 */
export function postChat(
  baseUrl: string,
  body: Record<string, unknown>,
  options: { abortAfterEvents?: number; headers?: Record<string, string> } = {},
): Promise<ChatExchange> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${baseUrl}/v1/chat/completions`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...options.headers } },
      (response) => {
        const events: unknown[] = [];
        let buffer = '';
        const exchange = (aborted: boolean): ChatExchange => {
          const streamed = String(response.headers['content-type']).startsWith('text/event-stream');
          return {
            status: response.statusCode ?? 0,
            headers: response.headers,
            events,
            json: streamed || aborted || buffer === '' ? undefined : JSON.parse(buffer),
            trailers: response.trailers,
            aborted,
          };
        };
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffer += chunk;
          if (!String(response.headers['content-type']).startsWith('text/event-stream')) return;
          for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
            const event = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = event.replace(/^data: /, '');
            events.push(data === '[DONE]' ? data : JSON.parse(data));
            if (options.abortAfterEvents !== undefined && events.length >= options.abortAfterEvents) {
              response.destroy();
              outgoing.destroy();
              resolve(exchange(true));
              return;
            }
          }
        });
        response.on('end', () => resolve(exchange(false)));
        response.on('error', reject);
      },
    );
    outgoing.on('error', (error) => {
      if (options.abortAfterEvents === undefined) reject(error);
    });
    outgoing.end(JSON.stringify(body));
  });
}

/** The sum of every series of a metric (all label sets) in Prometheus text. */
export function sumMetric(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
