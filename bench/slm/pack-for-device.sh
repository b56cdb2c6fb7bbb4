#!/usr/bin/env bash
# Packs what `bench/slm/run.ts` needs on a GPU machine that reaches no registry: the benchmark
# bundled into one file (Switchyard's embedded backend included), node-llama-cpp with its
# production dependencies and its prebuilt CUDA build, and this machine's node binary; compressed
# and split into parts of at most 60 MiB (the device tool carries 64 MiB a call, and parts carried
# earlier stay on a warm machine). Run from the repository root after `npm install`.
# On the GPU machine:
#   cat scratch/device/part-* | xz -d | tar -C /tmp/slm -xf -
#   LD_LIBRARY_PATH=<folders of libcudart.so.13 and libcublas.so.13> SLM_GPU=cuda /tmp/slm/node /tmp/slm/bench-slm.mjs
set -euo pipefail
out=${1:-scratch/device}
stage="$out/stage"
rm -rf "$out" && mkdir -p "$stage"
npx esbuild bench/slm/run.ts --bundle --platform=node --format=esm --target=node20 \
  --external:node-llama-cpp --outfile="$stage/bench-slm.mjs" --log-level=warning
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
# Only the prebuilt binaries are used: llama.cpp's source bundle stays behind.
rm -f "$stage/node_modules/node-llama-cpp/llama/gitRelease.bundle"
mkdir -p "$stage/node_modules/@node-llama-cpp"
cp -r node_modules/@node-llama-cpp/linux-x64-cuda "$stage/node_modules/@node-llama-cpp/"
cp "$(command -v node)" "$stage/node"
tar -C "$stage" -cf - . | xz -T0 -6 | split -b 60m - "$out/part-"
rm -rf "$stage"
ls -l "$out"
