#!/usr/bin/env bash
# Builds node-llama-cpp's CUDA binaries for Hopper (sm_90) on this machine, which has no GPU, so
# that the GPU machine spends its time measuring rather than compiling; llama-bench and
# llama-batched-bench are built in the same CMake tree, against the same ggml libraries.
# Needs: nvcc (CUDA 13, as on the GPU machine), cmake, and cuBLAS headers and libraries, taken
# from the nvidia-cublas wheel (CUBLAS_WHEEL). libcuda comes from the driver at run time: here a
# stub with its soname stands in for it at link time (the CUDA toolkit ships such stubs; this
# image's toolkit lacks them). Output: $NLC/node_modules with the build under
# node-llama-cpp/llama/localBuilds; pack it with bench/slm/pack-for-device.sh.
# Run from the repository root after `npm install`; about half an hour on two cores.
set -euo pipefail
root=$(pwd)
NLC=${NLC:-$root/scratch/nlc}
CUDA_SRC=${CUDA_SRC:-/usr/local/cuda-13.0}
CUBLAS_WHEEL=${CUBLAS_WHEEL:-$(ls /opt/pypi-more/files/nvidia_cublas-13*.whl | head -1)}
CUDA=$root/scratch/cuda-13.0

if [ ! -x "$CUDA/bin/nvcc" ]; then
  cp -a "$CUDA_SRC" "$CUDA"
  lib=$CUDA/targets/x86_64-linux/lib
  unzip -q -o "$CUBLAS_WHEEL" 'nvidia/cu13/include/*' 'nvidia/cu13/lib/libcublas*.so.13' -d /tmp/cublas-wheel
  cp /tmp/cublas-wheel/nvidia/cu13/include/* "$CUDA/targets/x86_64-linux/include/"
  cp /tmp/cublas-wheel/nvidia/cu13/lib/* "$lib/"
  rm -rf /tmp/cublas-wheel
  ln -sf libcublas.so.13 "$lib/libcublas.so" && ln -sf libcublasLt.so.13 "$lib/libcublasLt.so"
  mkdir -p "$lib/stubs"
  gcc -shared -fPIC -o "$lib/stubs/libcuda.so.1" -Wl,-soname,libcuda.so.1 -I"$CUDA/targets/x86_64-linux/include" \
    -x c - <<'EOF'
#include <cuda.h>
/* The driver functions ggml-cuda calls directly; the real libcuda.so.1 replaces them at run time. */
#define STUB(name, ...) CUresult name(__VA_ARGS__) { return CUDA_ERROR_STUB_LIBRARY; }
STUB(cuMemUnmap, CUdeviceptr a, size_t b)
STUB(cuMemSetAccess, CUdeviceptr a, size_t b, const CUmemAccessDesc *c, size_t d)
STUB(cuMemRelease, CUmemGenericAllocationHandle a)
STUB(cuMemMap, CUdeviceptr a, size_t b, size_t c, CUmemGenericAllocationHandle d, unsigned long long e)
STUB(cuMemGetAllocationGranularity, size_t *a, const CUmemAllocationProp *b, CUmemAllocationGranularity_flags c)
STUB(cuMemCreate, CUmemGenericAllocationHandle *a, size_t b, const CUmemAllocationProp *c, unsigned long long d)
STUB(cuMemAddressReserve, CUdeviceptr *a, size_t b, size_t c, CUdeviceptr d, unsigned long long e)
STUB(cuMemAddressFree, CUdeviceptr a, size_t b)
STUB(cuGetErrorString, CUresult a, const char **b)
STUB(cuDeviceGetAttribute, int *a, CUdevice_attribute b, CUdevice c)
STUB(cuDeviceGet, CUdevice *a, int b)
EOF
  ln -sf libcuda.so.1 "$lib/stubs/libcuda.so"
fi

# node-llama-cpp and its dependencies, as npm laid them out, in a folder of their own: a CUDA
# build inside the project's node_modules would be picked up by every local test.
if [ ! -d "$NLC/node_modules/node-llama-cpp/llama/llama.cpp" ]; then
  mkdir -p "$NLC"
  node bench/slm/list-node-llama-cpp-folders.cjs | while read -r folder; do
    mkdir -p "$NLC/$folder" && cp -r "$folder/." "$NLC/$folder"
  done
  (cd "$NLC" && node node_modules/node-llama-cpp/dist/cli/cli.js source download --skipBuild --noUsageExample)
fi

# The same options must be set where the build is used: node-llama-cpp names the build folder
# after them (bench/slm/device-run.sh sets them).
source bench/slm/cuda-build-options.sh "$CUDA"
export PATH=$CUDA/bin:$PATH CUDACXX=$CUDA/bin/nvcc
(cd "$NLC" && nice -n 19 node node_modules/node-llama-cpp/dist/cli/cli.js source build --gpu cuda --noUsageExample)

build=$(ls -d "$NLC"/node_modules/node-llama-cpp/llama/localBuilds/linux-x64-cuda-*/ | head -1)
# Executables check their libraries' references at link time: point the linker at cuBLAS and the stub.
lib=$CUDA/targets/x86_64-linux/lib
cmake -DLLAMA_BUILD_TOOLS=ON -DCMAKE_EXE_LINKER_FLAGS="-Wl,-rpath-link,$lib:$lib/stubs" "$build" >/dev/null
nice -n 19 cmake --build "$build" --config Release --target llama-bench llama-batched-bench --parallel "$(nproc)"
for file in llama-bench llama-batched-bench libllama-bench-impl.so libllama-batched-bench-impl.so; do
  cp "$build/bin/$file" "$build/Release/"
done
ls -l "$build"/Release
