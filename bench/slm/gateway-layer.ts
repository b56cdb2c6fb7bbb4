// The gateway's layer: the same loaded embedded model served through the real HTTP app
// (routing, request log off, metrics, SSE), streamed by a client on loopback, so the difference
// from calling the backend directly (run.ts) is what the gateway adds per token.
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { SwitchyardConfig } from '../../src/config/index.js';
import type { ChatModel } from '../../src/contract/index.js';
import { createApp } from '../../src/server/index.js';

interface Streamed {
  started: number;
  first: number;
  ended: number;
  outputTokens: number;
}

async function streamOnce(url: string, content: string, maxTokens: number): Promise<Streamed> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'local',
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: maxTokens,
      temperature: 0,
      messages: [{ role: 'user', content }],
    }),
  });
  if (!response.ok || !response.body) throw new Error(`gateway answered ${response.status}`);
  let first: number | undefined;
  let outputTokens = 0;
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const bytes of response.body) {
    buffer += decoder.decode(bytes, { stream: true });
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('data: {')) continue;
      const chunk = JSON.parse(line.slice(6)) as {
        choices?: { delta?: { content?: string } }[];
        usage?: { completion_tokens: number };
      };
      if (first === undefined && chunk.choices?.[0]?.delta?.content) first = performance.now();
      if (chunk.usage) outputTokens = chunk.usage.completion_tokens;
    }
  }
  const ended = performance.now();
  return { started, first: first ?? ended, ended, outputTokens };
}

/** One stream's time to first token and decode tokens/s, and N streams' decode tokens/s together. */
export async function measureThroughGateway(options: {
  config: SwitchyardConfig;
  model: ChatModel;
  content: string;
  maxTokens: number;
  streams: number[];
  runs: number;
}): Promise<{ ttftMsMedian: number; decodeTokensPerSecondMedian: number; streams: Record<string, number> }> {
  const app = createApp({
    config: options.config,
    models: new Map([['local', options.model]]),
    logger: pino({ level: 'silent' }),
    processMetrics: false,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  try {
    await streamOnce(url, options.content, options.maxTokens);
    const ttft: number[] = [];
    const decode: number[] = [];
    for (let run = 0; run < options.runs; run += 1) {
      const one = await streamOnce(url, options.content, options.maxTokens);
      ttft.push(one.first - one.started);
      decode.push((one.outputTokens - 1) / ((one.ended - one.first) / 1000));
    }
    const streams: Record<string, number> = {};
    for (const count of options.streams) {
      const speeds: number[] = [];
      for (let run = 0; run < 3; run += 1) {
        const all = await Promise.all(
          Array.from({ length: count }, () => streamOnce(url, options.content, options.maxTokens)),
        );
        const firstToken = Math.min(...all.map((one) => one.first));
        const lastEnd = Math.max(...all.map((one) => one.ended));
        const decoded = all.reduce((sum, one) => sum + one.outputTokens - 1, 0);
        speeds.push(decoded / ((lastEnd - firstToken) / 1000));
      }
      streams[count] = Math.round(median(speeds));
    }
    return {
      ttftMsMedian: Math.round(median(ttft) * 10) / 10,
      decodeTokensPerSecondMedian: Math.round(median(decode) * 10) / 10,
      streams,
    };
  } finally {
    await app.close();
  }
}
