#!/usr/bin/env bash
# Writes the changes of a patched llama.cpp tree that come on top of the patches before it, as one
# patch file: diff-patch.sh TREE PATCH_TO_WRITE (e.g. native/.llama-build-cuda/src
# native/patches/0002-lathe-cuda.patch). The earlier patches (name order) are applied to a
# pristine copy of the tree's commit; the tree's files are compared with that copy.
set -euo pipefail
tree=$(realpath "$1"); out=$(realpath -m "$2"); patches=$(dirname "$out")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
git clone --quiet --shared --no-checkout "$tree" "$tmp/base"
git -C "$tmp/base" checkout --quiet --detach "$(git -C "$tree" rev-parse HEAD)"
for p in $(ls "$patches"/*.patch | sort); do
  [ "$(realpath "$p")" = "$out" ] && break
  git -C "$tmp/base" apply --whitespace=nowarn "$p"
done
git -C "$tmp/base" add -A && git -C "$tmp/base" -c user.name=x -c user.email=x commit --quiet -m base
for f in $(git -C "$tree" diff --name-only HEAD) $(git -C "$tree" ls-files --others --exclude-standard); do
  mkdir -p "$(dirname "$tmp/base/$f")"; cp "$tree/$f" "$tmp/base/$f"
done
git -C "$tmp/base" add -A
git -C "$tmp/base" diff --cached > "$out"
echo "wrote $out ($(grep -c '^diff --git' "$out") files)"
