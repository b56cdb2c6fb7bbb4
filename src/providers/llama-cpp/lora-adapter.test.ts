import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type GgufTensorInfo, readGgufFileInfo } from 'node-llama-cpp';
import { type GgufValue, writeGguf } from '../../analysis/gguf/write-gguf.js';
import { llamaCppModelSchema } from '../../config/llama-cpp-model-schema.js';
import { createChatModel } from '../../create-chat-models.js';
import { StartupError } from '../../errors/index.js';
import { LlamaCppChatModel } from './llama-cpp-chat-model.js';

const modelPath = fileURLToPath(new URL('../../../../shared/models/stories260K.gguf', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'switchyard-lora-'));
after(() => rmSync(directory, { recursive: true, force: true }));

/** A small deterministic generator, so an adapter's weights are the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296 - 0.5;
  };
}

const RANK = 4;

/**
 * Writes a LoRA adapter GGUF for stories260K's attention and output weights, shaped from the model
 * file itself: A (n_in × rank) random, B (rank × n_out) zero or random. With B zero the adapter
 * adds nothing to any weight.
 */
function writeAdapter(
  name: string,
  tensors: GgufTensorInfo[],
  options: { b: 'zero' | 'random'; architecture?: string; widenFirst?: boolean },
): string {
  const random = seededRandom(7);
  const fillRandom = (data: Buffer) => {
    for (let index = 0; index < data.length / 4; index += 1) data.writeFloatLE(random(), index * 4);
  };
  const targets = tensors.filter((tensor) => /^(blk\.\d+\.attn_[qv]|output)\.weight$/.test(tensor.name));
  const path = join(directory, `${name}.gguf`);
  const metadata: [string, GgufValue][] = [
    ['general.architecture', { type: 'string', value: options.architecture ?? 'llama' }],
    ['general.type', { type: 'string', value: 'adapter' }],
    ['adapter.type', { type: 'string', value: 'lora' }],
    ['adapter.lora.alpha', { type: 'float32', value: RANK }],
  ];
  writeGguf(path, {
    metadata,
    tensors: targets.flatMap((tensor, index) => {
      const [inputs, outputs] = tensor.dimensions.map(Number) as [number, number];
      // The first target in the file is output.weight.
      const widen = options.widenFirst && index === 0 ? 2 : 1;
      return [
        {
          name: `${tensor.name}.lora_a`,
          dims: [inputs * widen, RANK],
          type: 'f32' as const,
          fill: fillRandom,
        },
        {
          name: `${tensor.name}.lora_b`,
          dims: [RANK, outputs],
          type: 'f32' as const,
          fill: options.b === 'random' ? fillRandom : () => {},
        },
      ];
    }),
  });
  return path;
}

function load(lora: { path: string; scale?: number }[]) {
  const config = llamaCppModelSchema.parse({
    provider: 'llama-cpp',
    model: modelPath,
    contextSize: 256,
    threads: 1,
    gpu: false,
    lora,
  });
  return LlamaCppChatModel.load({ name: 'local', config, modelPath });
}

async function greedyText(model: LlamaCppChatModel): Promise<string> {
  const result = await model.doGenerate(
    { messages: [{ role: 'user', content: 'Once upon a time' }], maxOutputTokens: 24, temperature: 0 },
    new AbortController().signal,
  );
  return result.text;
}

describe('LoRA adapters on the embedded model', () => {
  let tensors: GgufTensorInfo[];
  let baseline: string;
  before(async () => {
    tensors = (await readGgufFileInfo(modelPath)).tensorInfo ?? [];
    const model = await load([]);
    baseline = await greedyText(model);
    await model.close();
    assert.ok(baseline.length > 0, 'the base model generates text');
  });

  it('leaves the greedy answer unchanged with an adapter whose B is zero', async () => {
    const model = await load([{ path: writeAdapter('zero', tensors, { b: 'zero' }) }]);
    assert.equal(await greedyText(model), baseline);
    await model.close();
  });

  it('changes the greedy answer with a non-zero adapter, and not at scale 0', async () => {
    const path = writeAdapter('random', tensors, { b: 'random' });
    const adapted = await load([{ path, scale: 1 }]);
    assert.notEqual(await greedyText(adapted), baseline);
    await adapted.close();
    const off = await load([{ path, scale: 0 }]);
    assert.equal(await greedyText(off), baseline);
    await off.close();
  });

  it('refuses an adapter for another shape, architecture or a file that is not one, naming why', async () => {
    const wide = writeAdapter('wide', tensors, { b: 'random', widenFirst: true });
    await assert.rejects(load([{ path: wide }]), (error: Error) => {
      assert.match(error.message, new RegExp(`LoRA adapter ${wide} does not fit 'output\\.weight'`));
      assert.match(error.message, /the model's is 64 × 512, the adapter's A is 128 × 4 and B 4 × 512/);
      return true;
    });
    const gpt2 = writeAdapter('gpt2', tensors, { b: 'random', architecture: 'gpt2' });
    await assert.rejects(load([{ path: gpt2 }]), /is for the gpt2 architecture, the model is llama/);
    await assert.rejects(load([{ path: modelPath }]), /is not a LoRA adapter/);
    const text = join(directory, 'notes.gguf');
    writeFileSync(text, 'not a gguf file');
    await assert.rejects(load([{ path: text }]), /could not be read as GGUF/);
  });

  it('stops the gateway at start-up with the reason, not a crash', async () => {
    const wide = writeAdapter('wide-startup', tensors, { b: 'random', widenFirst: true });
    const config = llamaCppModelSchema.parse({
      provider: 'llama-cpp',
      model: modelPath,
      contextSize: 256,
      threads: 1,
      gpu: false,
      lora: [{ path: wide }],
    });
    const reporter = { progress: () => {}, loaded: () => {} };
    await assert.rejects(createChatModel('local', config, {}, reporter), (error: Error) => {
      assert.ok(error instanceof StartupError);
      assert.match(error.message, /Could not load model 'local'/);
      assert.match(error.message, /wide-startup\.gguf does not fit 'output\.weight'/);
      return true;
    });
  });
});
