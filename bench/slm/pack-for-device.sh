#!/usr/bin/env bash
# Packs what bench/slm needs on a GPU machine that reaches no registry: the benchmarks bundled into
# one file each (Switchyard's embedded backend included), node-llama-cpp with its production
# dependencies and the CUDA build made here by bench/slm/build-cuda.sh (llama-bench and
# llama-batched-bench beside it), and this machine's node binary; compressed and split into parts
# of at most 54 MiB (the device tool carries 64 MiB a call). bench/slm/device-run.sh unpacks and
# runs them there. Run from the repository root after build-cuda.sh.
set -euo pipefail
out=${1:-scratch/device}
NLC=${NLC:-scratch/nlc}
stage="$out/stage"
rm -rf "$out" && mkdir -p "$stage"
# ESM output with CommonJS dependencies inside: give them a `require`.
for entry in run:bench-slm layers:bench-slm-layers memory-check:bench-slm-memory write-models:bench-slm-models; do
  npx esbuild "bench/slm/${entry%%:*}.ts" --bundle --platform=node --format=esm --target=node20 \
    --external:node-llama-cpp --outfile="$stage/${entry##*:}.mjs" --log-level=warning \
    --banner:js="import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
done
# The build's results only: llama.cpp's source, its git bundle and the CMake tree stay here.
builds=node_modules/node-llama-cpp/llama/localBuilds
tar -C "$NLC" -cf - \
  --exclude=node_modules/node-llama-cpp/llama/llama.cpp \
  --exclude=node_modules/node-llama-cpp/llama/gitRelease.bundle \
  --exclude="$builds/*/llama.cpp" --exclude="$builds/*/CMakeFiles" --exclude="$builds/*/bin" \
  --exclude="$builds/*/*.ninja" --exclude="$builds/*/CMakeCache.txt" \
  node_modules | tar -C "$stage" -xf -
cp "$(command -v node)" "$stage/node"
mkdir -p "$stage/bin" && ln -sf ../node "$stage/bin/node"
du -sh "$stage"
tar -C "$stage" -cf - . | xz -T0 -6 | split -b 54m - "$out/part-"
rm -rf "$stage"
ls -l "$out"
