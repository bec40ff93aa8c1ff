#!/usr/bin/env bash
# Runs on the GPU machine from the repository root, with .gpu/ carried (see pack.sh): builds the
# CUDA addon from the carried tree with all cores, then runs the GPU check, then (LATHE_GPU_TESTS=1)
# the GPU tests of npm run test:gpu (.gpu/gpuTests.mjs); everything it prints and writes lands in $OUT (build
# log, gpu-check.json, gpu-tests.json). Extra arguments go to gpuCheck.mjs.
#   [LATHE_DEADLINE=520] [LATHE_GPU_TESTS=1 LATHE_TEST_SECONDS=100] bash scripts/gpu/device.sh [--torch] [--quick] ...
# LATHE_DEADLINE: seconds for everything; the check stops LATHE_TEST_SECONDS before it when the
# tests follow. LATHE_SKIP_CHECK=1 runs the tests alone.
set -uo pipefail
OUT=${OUT:-/tmp/lathe-gpu-out}; mkdir -p "$OUT"
repo=$PWD; w=/tmp/lathe-gpu; mkdir -p "$w"
exec > >(tee -a "$OUT/device.log") 2>&1
t0=$(date +%s)
nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap --format=csv,noheader || true
nproc; (cmake --version | head -1; ninja --version; nvcc --version | tail -1) || true
[ -x "$w/node" ] || { xz -dc .gpu/node.xz > "$w/node" && chmod +x "$w/node"; }
"$w/node" --version || exit 1
if [ ! -f "$w/build/Release/lathe_trainer.node" ] || [ "${LATHE_REBUILD:-0}" = 1 ]; then
  mkdir -p "$w/llama" && tar -C "$w/llama" --skip-old-files -xJf .gpu/llama-src.tar.xz
  cuda=$(dirname "$(dirname "$(readlink -f "$(command -v nvcc)")")")
  extra=()
  if ! ls "$cuda"/include/cublas_v2.h "$cuda"/targets/*/include/cublas_v2.h >/dev/null 2>&1; then
    # no cuBLAS headers: our declarations + a link stub; the real libcublas.so.13 loads at run time
    lib=$(find /usr /opt -name 'libcublas.so.13*' 2>/dev/null | head -1)
    echo "cuBLAS headers missing; runtime library: $lib"
    mkdir -p "$w/shim" && cc -shared -fPIC -Wl,-soname,libcublas.so.13 -o "$w/shim/libcublas.so" native/cuda-shim/cublas_stub.c
    extra+=("-DCUDA_cublas_LIBRARY=$w/shim/libcublas.so" "-DCUDA_cublasLt_LIBRARY=$w/shim/libcublas.so"
            "-DLATHE_CUBLAS_SHIM_INCLUDE=$repo/native/cuda-shim/include")
    export LD_LIBRARY_PATH="$(dirname "$lib"):${LD_LIBRARY_PATH:-}"
  fi
  # without the driver's link stub ggml uses its legacy memory pool instead of virtual memory
  ls "$cuda"/lib64/stubs/libcuda.so "$cuda"/targets/*/lib/stubs/libcuda.so >/dev/null 2>&1 || extra+=("-DGGML_CUDA_NO_VMM=ON")
  cmake -S native -B "$w/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLATHE_GPU=cuda \
    -DLATHE_LLAMA_DIR="$w/llama" -DCMAKE_CUDA_ARCHITECTURES="${LATHE_CUDA_ARCH:-90}" \
    -DCMAKE_JS_INC="$repo/.gpu/napi/include;$repo/.gpu/napi/node-addon-api" \
    -DCMAKE_CXX_FLAGS=-DBUILDING_NODE_EXTENSION -DCMAKE_LIBRARY_OUTPUT_DIRECTORY="$w/build/Release" \
    "${extra[@]}" > "$OUT/cmake.log" 2>&1 || { tail -40 "$OUT/cmake.log"; exit 1; }
  tb=$(date +%s)
  ninja -C "$w/build" -j "$(nproc)" lathe_trainer > "$OUT/build.log" 2>&1 || { grep -B2 -A20 -m3 'error' "$OUT/build.log" | head -80; exit 1; }
  echo "BUILD_SECONDS $(( $(date +%s) - tb )) on $(nproc) cores"
fi
ldd "$w/build/Release/lathe_trainer.node" | grep -E 'cublas|cudart|not found' || true
echo "SETUP_SECONDS $(( $(date +%s) - t0 ))"
deadline=${LATHE_DEADLINE:-520}
tests=${LATHE_GPU_TESTS:-0}
reserve=$(( tests == 1 ? ${LATHE_TEST_SECONDS:-100} : 0 ))
if [ "${LATHE_SKIP_CHECK:-0}" != 1 ]; then
  left=$(( deadline - reserve - ($(date +%s) - t0) )); echo "check time limit ${left} s"
  timeout "$left" "$w/node" .gpu/gpuCheck.mjs --addon "$w/build/Release/lathe_trainer.node" --out "$OUT" --work "$w/work" --threads 8 "$@" > "$OUT/gpu-check-stdout.json"
  echo "CHECK_EXIT $? after $(( $(date +%s) - t0 )) s"
  tail -c 3000 "$OUT/gpu-check-stdout.json"
fi
if [ "$tests" = 1 ]; then
  # the tests compare against the CPU build at native/build/Release (carried in .gpu/cpu)
  mkdir -p native/build/Release && cp .gpu/cpu/lathe_trainer.node native/build/Release/
  # trainingGpu starts the training process from the built app's place, and the core loads
  # node-llama-cpp and better-sqlite3 from node_modules (none travels: it is ignored)
  mkdir -p out/main && cp .gpu/trainer.mjs out/main/trainer.js
  [ -d node_modules ] || tar -xJf .gpu/node_modules.tar.xz
  left=$(( deadline - ($(date +%s) - t0) )); echo "test time limit ${left} s"
  LATHE_TRAINER_ADDON="$w/build/Release/lathe_trainer.node" timeout "$left" "$w/node" .gpu/gpuTests.mjs --out "$OUT"
  echo "TESTS_EXIT $? after $(( $(date +%s) - t0 )) s"
  # as npm run test:gpu: the fine-tune again with every backward op built from simpler ones (as on Metal)
  left=$(( deadline - ($(date +%s) - t0) ))
  LATHE_DECOMPOSE=all LATHE_TRAINER_ADDON="$w/build/Release/lathe_trainer.node" timeout "$left" "$w/node" .gpu/gpuTests.mjs \
    --out "$OUT" --name gpu-tests-decompose trainingGpu
  echo "DECOMPOSED_EXIT $? after $(( $(date +%s) - t0 )) s"
fi
