import type { Command } from 'commander';
import {
  estimateMemory,
  type MemoryEstimate,
  type ModelShape,
  PRESET_BITS_PER_WEIGHT,
  readGgufShape,
} from '../analysis/index.js';
import { UsageError } from '../errors/index.js';
import type { CliDependencies } from './cli-dependencies.js';
import { formatBytes, formatTable } from './format-table.js';

interface MemoryOptions {
  gguf?: string;
  params?: string;
  layers?: string;
  kvHeads?: string;
  headDim?: string;
  heads?: string;
  embedding?: string;
  vocab?: string;
  quant?: string;
  context?: string;
  batch: string;
  kvType: string;
  flashAttention: string;
  json?: boolean;
}

const SIDE_BY_SIDE = ['f16', 'q8_0', 'q4_k_m'];

function readPositive(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const multiplier = /b$/i.test(value) ? 1e9 : /m$/i.test(value) ? 1e6 : 1;
  const number = Number(value.replace(/[bm]$/i, '').replace(/_/g, '')) * multiplier;
  if (!Number.isFinite(number) || number <= 0)
    throw new UsageError(`${flag} must be a positive number (got "${value}")`);
  return number;
}

function quantizedBytes(parameters: number, quant: string): number {
  const bits = PRESET_BITS_PER_WEIGHT[quant];
  if (bits === undefined) {
    throw new UsageError(
      `unknown --quant "${quant}" (known: ${Object.keys(PRESET_BITS_PER_WEIGHT).join(', ')})`,
    );
  }
  return Math.round((parameters * bits) / 8);
}

/** `switchyard memory`: weights, KV cache and compute buffers to serve a model with llama.cpp. */
export function registerMemoryCommand(program: Command, dependencies: CliDependencies): void {
  program
    .command('memory')
    .description('Estimate the memory to serve a model: weights, KV cache, compute buffers.')
    .option('--gguf <file>', 'read the shape and tensor sizes from a GGUF header')
    .option('--params <n>', 'parameters (7e9, 7B, 500M)')
    .option('--layers <n>', 'transformer layers')
    .option('--kv-heads <n>', 'key/value heads (grouped-query attention)')
    .option('--head-dim <n>', 'dimension per head')
    .option('--heads <n>', 'attention heads (default: KV heads)')
    .option('--embedding <n>', 'embedding width (default: heads × head dim)')
    .option('--vocab <n>', 'vocabulary size (default 32000)')
    .option('--quant <type>', `weight quantisation: ${Object.keys(PRESET_BITS_PER_WEIGHT).join('|')}`)
    .option(
      '--context <n>',
      'context tokens per sequence (default: 4096, or the GGUF trained context if smaller)',
    )
    .option('--batch <n>', 'sequences served at once', '1')
    .option('--kv-type <type>', 'KV cache type: f16|q8_0|q4_0|f32', 'f16')
    .option(
      '--flash-attention <on|off>',
      'llama.cpp flash attention (node-llama-cpp turns it on where supported)',
      'on',
    )
    .option('--json', 'print one JSON object on stdout')
    .action(async (options: MemoryOptions) => {
      let shape: ModelShape;
      let parameters: number;
      let fileWeights: number | undefined;
      let context = readPositive(options.context, '--context');
      let source: string;
      if (options.gguf) {
        const gguf = await readGgufShape(options.gguf).catch((error: unknown) => {
          throw new UsageError(`cannot read ${options.gguf} as GGUF: ${(error as Error).message}`);
        });
        shape = gguf.shape;
        parameters = gguf.parameters;
        fileWeights = gguf.weightsBytes;
        context ??= Math.min(4096, gguf.trainedContext || 4096);
        source = `${options.gguf} (${gguf.architecture}, ${Object.entries(gguf.tensorTypes)
          .map(([type, count]) => `${count} ${type}`)
          .join(', ')} tensors)`;
      } else {
        const required = {
          '--params': options.params,
          '--layers': options.layers,
          '--kv-heads': options.kvHeads,
          '--head-dim': options.headDim,
        };
        const missing = Object.entries(required)
          .filter(([, value]) => value === undefined)
          .map(([flag]) => flag);
        if (missing.length > 0)
          throw new UsageError(
            `give --gguf FILE, or all of --params --layers --kv-heads --head-dim (missing ${missing.join(', ')})`,
          );
        parameters = readPositive(options.params, '--params') as number;
        shape = {
          layers: readPositive(options.layers, '--layers') as number,
          kvHeads: readPositive(options.kvHeads, '--kv-heads') as number,
          headDim: readPositive(options.headDim, '--head-dim') as number,
          ...(options.heads ? { heads: readPositive(options.heads, '--heads') as number } : {}),
          ...(options.embedding
            ? { embedding: readPositive(options.embedding, '--embedding') as number }
            : {}),
          ...(options.vocab ? { vocab: readPositive(options.vocab, '--vocab') as number } : {}),
        };
        context ??= 4096;
        source = 'the given shape';
      }
      const settings = {
        context,
        batch: readPositive(options.batch, '--batch') as number,
        kvType: options.kvType,
        flashAttention: options.flashAttention !== 'off',
      };
      const estimate = (weights: number): MemoryEstimate => {
        try {
          return estimateMemory(shape, weights, settings);
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
      };
      // With no --quant: the model as stored (for a GGUF) and what f16 / q8_0 / q4_k_m would take.
      const quants = options.quant ? [options.quant] : SIDE_BY_SIDE;
      const rows: [string, MemoryEstimate][] = [];
      if (fileWeights !== undefined) rows.push(['as stored', estimate(fileWeights)]);
      for (const quant of quants) rows.push([quant, estimate(quantizedBytes(parameters, quant))]);
      const primary = (rows.find(([name]) => name === (options.quant ?? 'as stored')) ??
        rows.find(([name]) => name === 'q4_k_m') ??
        rows[0]) as [string, MemoryEstimate];
      if (options.json) {
        dependencies.stdout.write(
          `${JSON.stringify({ ...primary[1], quant: primary[0], parameters, shape, ...settings, byQuant: Object.fromEntries(rows) })}\n`,
        );
        return;
      }
      const table = [
        ['', ...rows.map(([name]) => name)],
        ['weights', ...rows.map(([, row]) => formatBytes(row.weightsBytes))],
        ['KV cache', ...rows.map(([, row]) => formatBytes(row.kvCacheBytes))],
        ['compute buffers', ...rows.map(([, row]) => formatBytes(row.computeBytes))],
        ['total', ...rows.map(([, row]) => formatBytes(row.totalBytes))],
      ];
      dependencies.stdout.write(
        `${formatTable(table)}\n\n${source}; ${settings.context} tokens of context × ${settings.batch} sequence(s), KV ${settings.kvType}, flash attention ${settings.flashAttention ? 'on' : 'off'}.\n`,
      );
    });
}
