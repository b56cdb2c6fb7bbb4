# CMake options of the CUDA build (bench/slm/build-cuda.sh). node-llama-cpp reads them from the
# environment and names the build folder after them, so the machine that loads the build sets
# the same values (the paths need not exist there). Usage: source this file with the toolkit path.
cuda=${1:-/work/main/scratch/cuda-13.0}
export NODE_LLAMA_CPP_CMAKE_OPTION_CMAKE_CUDA_ARCHITECTURES=90-real
export NODE_LLAMA_CPP_CMAKE_OPTION_GGML_NATIVE=OFF
export NODE_LLAMA_CPP_CMAKE_OPTION_GGML_CUDA_NCCL=OFF
export NODE_LLAMA_CPP_CMAKE_OPTION_CUDAToolkit_ROOT=$cuda
export NODE_LLAMA_CPP_CMAKE_OPTION_CMAKE_CUDA_COMPILER=$cuda/bin/nvcc
export NODE_LLAMA_CPP_CMAKE_OPTION_CUDA_cuda_driver_LIBRARY=$cuda/targets/x86_64-linux/lib/stubs/libcuda.so
