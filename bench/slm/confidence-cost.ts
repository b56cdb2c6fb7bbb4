// What a token's confidence costs in node-llama-cpp, per token, on one CPU thread: plain
// `evaluate`, `evaluateWithMetadata(..., { confidence: true })` (what the backend's
// capture-token-probabilities.ts uses), and `controlledEvaluate` asking for the selected and the
// highest logit and the total logit weight (confidence = exp(selected - max) / weight, no sort).
// A 1-layer, 64-wide random model with Qwen2.5's 151,936-token vocabulary, so that the
// vocabulary-sized work dominates. Run: taskset -c 0 node --import tsx bench/slm/confidence-cost.ts
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ControlledEvaluateInputItem, getLlama, type Token } from 'node-llama-cpp';
import { writeRandomGguf } from './write-random-gguf.js';

const file = join(tmpdir(), 'switchyard-bench-tiny-152k-vocab.gguf');
if (!existsSync(file))
  writeRandomGguf(file, {
    layers: 1,
    embedding: 64,
    heads: 4,
    kvHeads: 2,
    feedForward: 128,
    vocab: 151_936,
    context: 1024,
  });
const llama = await getLlama({ gpu: false });
const model = await llama.loadModel({ modelPath: file });
const context = await model.createContext({ contextSize: 512, threads: 1 });
const sequence = context.getSequence();
const tokens = Number(process.env.SLM_TOKENS ?? 64);
const prompt = model.tokenize('hello world this is a prompt');
const ask = (token: Token): ControlledEvaluateInputItem => [
  token,
  {
    generateNext: {
      token: true,
      totalLogitWeight: true,
      logits: { filter: { tokens: [], includeSelected: true, includeMax: true } },
    },
  },
];

async function measure(kind: 'evaluate' | 'confidence' | 'controlled') {
  await sequence.clearHistory();
  const confidences: number[] = [];
  const start = performance.now();
  let count = 0;
  if (kind === 'evaluate') {
    for await (const _ of sequence.evaluate(prompt, { temperature: 0 })) if (++count >= tokens) break;
  } else if (kind === 'confidence') {
    for await (const item of sequence.evaluateWithMetadata(
      prompt,
      { confidence: true },
      { temperature: 0 },
    )) {
      confidences.push(item.confidence);
      if (++count >= tokens) break;
    }
  } else {
    let input: ControlledEvaluateInputItem[] = [...prompt.slice(0, -1), ask(prompt.at(-1) as Token)];
    while (count < tokens) {
      const next = (await sequence.controlledEvaluate(input)).at(-1)?.next;
      if (next?.token == null || !next.logits || next.totalLogitWeight == null) throw new Error('no token');
      const max = Math.max(...next.logits.values());
      confidences.push(Math.exp((next.logits.get(next.token) ?? -Infinity) - max) / next.totalLogitWeight);
      count++;
      input = [ask(next.token)];
    }
  }
  const msPerToken = (performance.now() - start) / count;
  return {
    kind,
    msPerToken: Number(msPerToken.toFixed(3)),
    firstConfidences: confidences.slice(0, 3).map((c) => Number(c.toFixed(5))),
  };
}

for (let round = 0; round < 3; round++)
  for (const kind of ['evaluate', 'confidence', 'controlled'] as const)
    console.log(JSON.stringify(await measure(kind)));
await context.dispose();
await model.dispose();
