#!/usr/bin/env bash
# Runs on the GPU machine (the device tool), from the repository root, with scratch/device (made by
# bench/slm/pack-for-device.sh) carried: unpacks it, then measures on the same random-weight files
# in one run: the layers (bench/slm/layers.ts), the backend with llama-bench and
# llama-batched-bench beside it (bench/slm/run.ts), and the memory estimate (memory-check.ts).
# Everything it writes goes to $OUT. STEPS picks the parts: layers,run,memory.
set -uo pipefail
out=${OUT:-/tmp/slm-out}
steps=${STEPS:-layers,run,memory}
shapes=${SHAPES:-0.5b,1.5b}
streams=${STREAMS:-1,8,32}
mkdir -p /tmp/slm "$out"
cat scratch/device/part-* | xz -dc | tar -C /tmp/slm -xf - || exit 1
# The CUDA runtime and cuBLAS of the machine's own toolkit (the build links them, the same major).
for lib in libcudart.so.13 libcublas.so.13; do
  found=$(find /usr/local /opt /usr/lib -name "$lib" -print -quit 2>/dev/null)
  [ -n "$found" ] && export LD_LIBRARY_PATH="$(dirname "$found")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
done
source bench/slm/cuda-build-options.sh
export PATH=/tmp/slm/bin:$PATH
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem --format=csv | tee "$out/gpu.txt"
cd /tmp/slm
release=$(ls -d node_modules/node-llama-cpp/llama/localBuilds/linux-x64-cuda-*/Release)
node -e "import('node-llama-cpp').then(async (m) => { const l = await m.getLlama({ gpu: 'cuda', build: 'never' }); console.log('backend', l.gpu, await l.getGpuDeviceNames()); })" 2>&1 | tee "$out/check.txt"
grep -q 'backend cuda' "$out/check.txt" || { ldd "$release/libggml-cuda.so" | tee -a "$out/check.txt"; exit 1; }
models=$(node bench-slm-models.mjs "$shapes" | tr '\n' ' ')
layer_models=$(node bench-slm-models.mjs "${LAYER_SHAPES:-$shapes}" | tr '\n' ' ')
run() { echo "== $*" >&2; timeout "$@" 2> >(tee -a "$out/log.txt" >&2); }
if [[ $steps == *layers* ]]; then
  SLM_GPU=cuda SLM_STREAMS=$streams SLM_THREADS=4 SLM_FLASH=${FLASH:-auto,false} SLM_RUNS=3 \
    SLM_LAYERS_OUT="$out/layers-cuda.jsonl" run 240 node bench-slm-layers.mjs $layer_models
fi
if [[ $steps == *run* ]]; then
  SLM_GPU=cuda SLM_SHAPES=$shapes SLM_STREAMS=$streams SLM_THREADS=4 SLM_LLAMA_CPP_BIN=$PWD/$release \
    SLM_RESULTS="$out/results-cuda.json" run 300 node bench-slm.mjs
fi
if [[ $steps == *memory* ]]; then
  SLM_GPU=cuda SLM_STREAMS=$streams run 60 node bench-slm-memory.mjs $models > "$out/memory-cuda.jsonl"
fi
