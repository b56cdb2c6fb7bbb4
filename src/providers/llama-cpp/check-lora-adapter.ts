import { type GgufFileInfo, type GgufTensorInfo, readGgufFileInfo } from 'node-llama-cpp';

const PAIR = /^(.+)\.lora_([ab])$/;

const dims = (tensor: GgufTensorInfo) => tensor.dimensions.map(Number);

/**
 * Checks that the GGUF at `path` is a LoRA adapter for `model` before llama.cpp loads it: llama.cpp
 * refuses a mismatched adapter with one generic error and writes why only to its log, so the
 * reason (wrong file kind, another architecture, a tensor the model lacks or of another shape) is
 * found here and thrown as a sentence naming the file.
 */
export async function checkLoraAdapter(path: string, model: GgufFileInfo): Promise<void> {
  const refuse = (reason: string) => {
    throw new Error(`LoRA adapter ${path} ${reason}`);
  };
  let adapter: GgufFileInfo;
  try {
    adapter = await readGgufFileInfo(path, { sourceType: 'filesystem' });
  } catch (error) {
    return refuse(`could not be read as GGUF: ${(error as Error).message}`);
  }
  const metadata = adapter.metadata as { general?: { type?: string }; adapter?: { type?: string } };
  if (metadata.general?.type !== 'adapter' || metadata.adapter?.type !== 'lora')
    refuse('is not a LoRA adapter (its general.type must be "adapter" and adapter.type "lora")');
  const architecture = adapter.metadata.general.architecture;
  if (architecture !== model.metadata.general.architecture)
    refuse(`is for the ${architecture} architecture, the model is ${model.metadata.general.architecture}`);

  const modelTensors = new Map(
    (model.fullTensorInfo ?? model.tensorInfo ?? []).map((tensor) => [tensor.name, tensor]),
  );
  const pairs = new Map<string, { a?: GgufTensorInfo; b?: GgufTensorInfo }>();
  for (const tensor of adapter.tensorInfo ?? []) {
    const match = PAIR.exec(tensor.name);
    if (!match) {
      if (tensor.name.endsWith('_norm.weight')) continue; // llama.cpp ignores norm vectors too
      refuse(`has a tensor '${tensor.name}' that is neither a lora_a nor a lora_b`);
      continue;
    }
    const pair = pairs.get(match[1] as string) ?? {};
    pair[match[2] as 'a' | 'b'] = tensor;
    pairs.set(match[1] as string, pair);
  }
  if (pairs.size === 0) refuse('holds no LoRA tensors');
  for (const [name, { a, b }] of pairs) {
    if (!a || !b) refuse(`has only one of '${name}.lora_a' and '${name}.lora_b'`);
    const base = modelTensors.get(name);
    if (!base) refuse(`adapts '${name}', which the model does not have: is it for another base model?`);
    // Token embeddings are adapted with A and B swapped (llama.cpp); every other weight W (n_in ×
    // n_out) takes A (n_in × r) and B (r × n_out).
    if (name === 'token_embd.weight') continue;
    const [inputs, outputs] = dims(base as GgufTensorInfo);
    const [aInputs, aRank] = dims(a as GgufTensorInfo);
    const [bRank, bOutputs] = dims(b as GgufTensorInfo);
    if (aInputs !== inputs || bOutputs !== outputs || aRank !== bRank)
      refuse(
        `does not fit '${name}': the model's is ${inputs} × ${outputs}, the adapter's A is ${aInputs} × ${aRank} and B ${bRank} × ${bOutputs}; is it for another base model?`,
      );
  }
}
