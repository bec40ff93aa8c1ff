#!/usr/bin/env bash
# Prepares .gpu/ (ignored through .git/info/exclude) for one run of the GPU check on a machine
# that has a GPU, nvcc, cmake and ninja but no Node.js and no network (the `device` tool's machine):
#   .gpu/node.xz             this machine's Node binary (glibc-linked; the target needs glibc >= ours)
#   .gpu/napi/               Node-API headers (node-api-headers, node-addon-api) for the addon build
#   .gpu/llama-src.tar.xz    the patched llama.cpp tree (all native/patches applied; sources only)
#   .gpu/gpuCheck.mjs        bench/gpuCheck.ts bundled (no node_modules needed)
#   .gpu/gpuTests.mjs        the native GPU tests bundled with a vitest shim (scripts/gpu/gpuTests.ts)
#   .gpu/cpu/                this machine's CPU build of the addon, the tests' reference
#   .gpu/trainer.mjs         the training process (src/main/workers/trainer.ts) bundled, for trainingGpu
#   .gpu/node_modules.tar.xz node-llama-cpp and better-sqlite3 (with its addon) and what they load,
#                            for the tests that go through the core (device.sh unpacks it)
# Then run scripts/gpu/device.sh there with `carry: [".gpu"]`.
set -euo pipefail
cd "$(dirname "$0")/../.."
tree=${LATHE_GPU_TREE:-native/.llama/src}
mkdir -p .gpu/napi/node-addon-api
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
[ -f .gpu/node.xz ] || xz -T2 -6 -c "$(command -v node)" > .gpu/node.xz
rm -rf .gpu/napi/include && cp -r node_modules/node-api-headers/include .gpu/napi/include
cp node_modules/node-addon-api/*.h .gpu/napi/node-addon-api/
# the tree as the patches make it: refuse a tree whose changes differ from native/patches
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
git clone --quiet --shared "$tree" "$tmp/t"
for p in native/patches/*.patch; do git -C "$tmp/t" apply --whitespace=nowarn "$PWD/$p"; done
diff -r -q --exclude=.git "$tmp/t" "$tree" | grep -v '^Only in' && { echo "the tree differs from the patches"; exit 1; } || true
tar -C "$tmp/t" --exclude=./.git --exclude=./models --exclude=./docs --exclude=./tools --exclude=./tests \
  --exclude=./examples --exclude=./benches --exclude=./gguf-py --exclude=./conversion -cJf .gpu/llama-src.tar.xz .
npx rolldown bench/gpuCheck.ts -o .gpu/gpuCheck.mjs -p node -f esm > /dev/null
npx rolldown -c scripts/gpu/rolldown.tests.config.mjs > /dev/null
mkdir -p .gpu/cpu && cp native/build/Release/lathe_trainer.node .gpu/cpu/
# node-llama-cpp and better-sqlite3 for the tests that go through the core, with every package
# they load at run time (not node-llama-cpp's prebuilt binaries or llama.cpp sources: the core only
# reads GGUF headers and chat templates with it; better-sqlite3's addon is this machine's build, for
# the Node binary that travels with it)
tar -cJf .gpu/node_modules.tar.xz --exclude='*.map' --exclude='*.d.ts' --exclude='*.md' \
  --exclude=node_modules/node-llama-cpp/llama/{gitRelease.bundle,llama.cpp,xpack,toolchains,addon,cmake,patches} \
  --exclude=node_modules/better-sqlite3/{deps,src} --exclude='node_modules/better-sqlite3/build/Release/obj*' \
  --exclude='node_modules/better-sqlite3/build/Release/*.a' --exclude=node_modules/better-sqlite3/build/Release/test_extension.node \
  $(node scripts/gpu/prodDeps.mjs node-llama-cpp better-sqlite3 --skip @node-llama-cpp/ prebuild-install typescript)
du -sh .gpu/*
