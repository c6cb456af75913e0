#!/usr/bin/env bash
# Build dist/bpftop: one executable carrying the BPF object, OpenTUI's native
# library and libbpf with its libelf and libz (loaded from memory at run time,
# so the binary runs where the libbpf1 package is not installed).
#   scripts/build.sh [--target bun-linux-x64]
set -euo pipefail
cd "$(dirname "$0")/.."

target=bun-linux-x64
[ "${1:-}" = "--target" ] && target=$2
case "$(uname -m)" in aarch64) [ "$target" = bun-linux-x64 ] && target=bun-linux-arm64 ;; esac

[ -x node_modules/.bin/bun ] || npm install --no-audit --no-fund

# The libraries to embed come from the build machine's packages.
multiarch=$(gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")
libdir=/usr/lib/$multiarch
missing=()
[ -e "$libdir/libbpf.so.1" ] || missing+=(libbpf1)
[ -e "$libdir/libelf.so.1" ] || missing+=(libelf1)
[ -e "$libdir/libz.so.1" ] || [ -e "/lib/$multiarch/libz.so.1" ] || missing+=(zlib1g)
if [ ${#missing[@]} -gt 0 ]; then
  echo "build: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null
fi
rm -rf build/embed && mkdir -p build/embed dist
for lib in libz.so.1 libelf.so.1 libbpf.so.1; do
  src=$libdir/$lib
  [ -e "$src" ] || src=/lib/$multiarch/$lib
  cp -L "$src" "build/embed/$lib"
done

# Flags from shared/stack-guide.md §4: the musl variant of OpenTUI's native
# package is external (a run-time branch), ESM for top-level await with
# bytecode, and no bunfig.toml/.env autoloading from the caller's directory.
node_modules/.bin/bun build --compile --minify --bytecode --format=esm \
  --external '@opentui/core-*-musl' \
  --no-compile-autoload-dotenv --no-compile-autoload-bunfig \
  --target="$target" --asset-naming='[name].[ext]' \
  src/cli.ts build/embed/libz.so.1 build/embed/libelf.so.1 build/embed/libbpf.so.1 \
  --outfile dist/bpftop
echo "build: dist/bpftop ($(du -h dist/bpftop | cut -f1))"
