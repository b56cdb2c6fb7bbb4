#!/usr/bin/env bash
# Packs what `bench/slm/run.ts` needs on a GPU machine that reaches no registry: the benchmark
# bundled into one file (Switchyard's embedded backend included), node-llama-cpp with its
# production dependencies and its prebuilt CUDA build, and this machine's node binary; compressed
# and split into parts of at most 54 MiB (the device tool carries 64 MiB a call, and parts carried
# earlier stay on a warm machine). Run from the repository root after `npm install`.
# On the GPU machine (bench/slm/RESULTS.md has the exact commands used):
#   cat scratch/device/part-* | xz -d | tar -C /tmp/slm -xf -
#   prebuilt: LD_LIBRARY_PATH=<folder of libcudart.so.13, libcublas.so.13> SLM_GPU=cuda /tmp/slm/node /tmp/slm/bench-slm.mjs
#   SOURCE_BUILD=1: build with the machine's nvcc first (see below), then the same without LD_LIBRARY_PATH.
set -euo pipefail
out=${1:-scratch/device}
stage="$out/stage"
rm -rf "$out" && mkdir -p "$stage"
# ESM output with CommonJS dependencies inside: give them a `require`.
npx esbuild bench/slm/run.ts --bundle --platform=node --format=esm --target=node20 \
  --external:node-llama-cpp --outfile="$stage/bench-slm.mjs" --log-level=warning \
  --banner:js="import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
npx esbuild bench/slm/layers.ts --bundle --platform=node --format=esm --target=node20 \
  --external:node-llama-cpp --outfile="$stage/bench-slm-layers.mjs" --log-level=warning
# node-llama-cpp's dependency closure, as npm laid it out (nested node_modules included).
node -e '
  const fs = require("fs"), path = require("path");
  const seen = new Set();
  function walk(name, from) {
    for (let dir = from; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, "node_modules", name);
      if (fs.existsSync(candidate)) {
        if (seen.has(candidate)) return;
        seen.add(candidate);
        const pkg = JSON.parse(fs.readFileSync(path.join(candidate, "package.json"), "utf8"));
        for (const dependency of Object.keys(pkg.dependencies ?? {})) walk(dependency, candidate);
        return;
      }
      if (path.dirname(dir) === dir) return;
    }
  }
  walk("node-llama-cpp", process.cwd());
  for (const folder of seen) console.log(path.relative(process.cwd(), folder));
' | while read -r folder; do
  mkdir -p "$stage/$folder" && cp -r "$folder/." "$stage/$folder"
done
if [ "${SOURCE_BUILD:-0}" = 1 ]; then
  # For a build on the GPU machine with its own CUDA toolkit (when the prebuilt CUDA binaries need a
  # newer driver than it has): llama.cpp's source checked out from node-llama-cpp's git bundle, npm
  # (node-llama-cpp builds through `npm run cmake-js-llama`) and node's headers (cmake-js would
  # download them). On the GPU machine: bin/ on PATH, headers copied to
  # ~/.cmake-js/node-x64/<node version>/include/node, then `node-llama-cpp source build --gpu cuda`.
  (cd "$stage" && "$(command -v node)" node_modules/node-llama-cpp/dist/cli/cli.js source download --skipBuild --noUsageExample)
  rm -f "$stage/node_modules/node-llama-cpp/llama/gitRelease.bundle"
  # node-llama-cpp only checks that the checkout has a .git folder; its history stays behind.
  rm -rf "$stage/node_modules/node-llama-cpp/llama/llama.cpp/.git"
  mkdir -p "$stage/node_modules/node-llama-cpp/llama/llama.cpp/.git" "$stage/node_modules/.bin"
  ln -s ../cmake-js/bin/cmake-js "$stage/node_modules/.bin/cmake-js"
  cp -r "$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")" "$stage/npm"
  cp -r "$(npm config get nodedir 2>/dev/null || echo /usr)/include/node" "$stage/node-headers"
  mkdir -p "$stage/bin"
  printf '#!/bin/sh\nexec "$(dirname "$0")/../node" "$(dirname "$0")/../npm/bin/npm-cli.js" "$@"\n' >"$stage/bin/npm"
  chmod +x "$stage/bin/npm"
else
  # Only the prebuilt binaries are used: llama.cpp's source bundle stays behind.
  rm -f "$stage/node_modules/node-llama-cpp/llama/gitRelease.bundle"
  mkdir -p "$stage/node_modules/@node-llama-cpp"
  cp -r node_modules/@node-llama-cpp/linux-x64-cuda "$stage/node_modules/@node-llama-cpp/"
fi
cp "$(command -v node)" "$stage/node"
mkdir -p "$stage/bin" && ln -sf ../node "$stage/bin/node"
tar -C "$stage" -cf - . | xz -T0 -6 | split -b 54m - "$out/part-"
rm -rf "$stage"
ls -l "$out"
