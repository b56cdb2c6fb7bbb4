// Where the embedded backend's time per token goes, layer by layer, on one model file: llama.cpp's
// sequence evaluation alone, the same with the token probability (what the confidence check
// reads), and node-llama-cpp's chat session. Compare with bench/slm/run.ts (the whole backend) and
// with llama.cpp's own llama-bench. Run: SLM_GPU=cuda node --import tsx bench/slm/layers.ts FILE.gguf
import { getLlama, LlamaChatSession } from 'node-llama-cpp';

const path = process.argv[2];
if (!path) throw new Error('usage: layers.ts MODEL.gguf');
const gpu = (process.env.SLM_GPU ?? 'off') === 'off' ? false : (process.env.SLM_GPU as 'cuda');
const tokensPerRun = 64;
const runs = 5;
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const llama = await getLlama({ gpu });
const model = await llama.loadModel({ modelPath: path });
const context = await model.createContext({
  contextSize: 1024,
  threads: Number(process.env.SLM_THREADS ?? 4),
});
const sequence = context.getSequence();
const prompt = model.tokenize('Tell me a story about a lighthouse keeper and a storm.');

/** Tokens per second after the first, over `tokensPerRun` tokens from a fresh sequence. */
async function evaluateLoop(withProbability: boolean): Promise<number> {
  await sequence.clearHistory();
  const iterator = withProbability
    ? sequence.evaluateWithMetadata(prompt, { confidence: true }, { temperature: 0 })
    : sequence.evaluate(prompt, { temperature: 0 });
  let count = 0;
  let first = 0;
  for await (const _ of iterator) {
    if (count === 0) first = performance.now();
    count += 1;
    if (count >= tokensPerRun) break;
  }
  return (count - 1) / ((performance.now() - first) / 1000);
}

async function chatLoop(): Promise<number> {
  await sequence.clearHistory();
  const session = new LlamaChatSession({ contextSequence: sequence, autoDisposeSequence: false });
  let chunks = 0;
  let first = 0;
  const controller = new AbortController();
  await session
    .prompt('Tell me a story about a lighthouse keeper and a storm.', {
      maxTokens: tokensPerRun,
      temperature: 0,
      signal: controller.signal,
      onTextChunk: () => {
        if (chunks === 0) first = performance.now();
        chunks += 1;
      },
    })
    .catch(() => undefined);
  session.dispose({ disposeSequence: false });
  return (tokensPerRun - 1) / ((performance.now() - first) / 1000);
}

const rows: Record<string, number> = {};
for (const [name, measure] of [
  ['evaluate', () => evaluateLoop(false)],
  ['evaluateWithProbability', () => evaluateLoop(true)],
  ['chatSession', chatLoop],
] as const) {
  await measure();
  const speeds: number[] = [];
  for (let run = 0; run < runs; run += 1) speeds.push(await measure());
  rows[name] = Math.round(median(speeds) * 10) / 10;
  console.error(name, rows[name]);
}
console.log(JSON.stringify({ model: path, gpu: llama.gpu, tokensPerSecondMedian: rows }));
await context.dispose();
await model.dispose();
