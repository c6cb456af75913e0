# bpftop as a Nix package, built offline from this repository.
#
# Dependencies: every npm tarball the build needs is fetched by the sha512
# that package-lock.json records for it (one fixed-output fetchurl each), so
# there is no separate dependency hash to keep up to date. That includes Bun
# itself: the @oven/bun-linux-* runtime of the `bun` devDependency, i.e. the
# very Bun (1.4.5) that scripts/build.sh compiles with.
#
#   static = false: bin/bpftop for NixOS, using nixpkgs' libbpf by absolute
#                   path, plus libexec/bpftop/bpftop-launcher for the NixOS
#                   module's security.wrappers entry (see nix/module.nix).
#   static = true:  the self-contained binary scripts/build.sh makes (libbpf,
#                   libelf and libz embedded, upstream Bun runtime with the
#                   standard /lib64 loader), for other distributions.
#
# A Bun-compiled binary is the Bun runtime with the program appended to it:
# stripping it or running patchelf on it destroys it, hence dontStrip and
# dontPatchELF. Only the runtime is patched, before compiling.
{ lib, stdenv, runCommand, fetchurl, patchelf, libbpf, elfutils, zlib, static ? false }:

let
  lock = lib.importJSON ../package-lock.json;
  inherit (lock) version;

  npmArch = {
    x86_64-linux = "x64";
    aarch64-linux = "arm64";
  }.${stdenv.hostPlatform.system} or (throw "bpftop: unsupported system ${stdenv.hostPlatform.system}");
  bunRuntime = "@oven/bun-linux-${if npmArch == "x64" then "x64" else "aarch64"}";
  opentuiLibrary = "@opentui/core-linux-${npmArch}/libopentui.so";

  # The lockfile entries (keys like "node_modules/a/node_modules/b") this
  # platform installs: production ones, and the one Bun runtime we compile with.
  fits = field: value: pkg: !(pkg ? ${field}) || builtins.elem value pkg.${field};
  wanted = path: pkg:
    path != ""
    && (!(pkg.dev or false) || path == "node_modules/${bunRuntime}")
    && fits "os" "linux" pkg && fits "cpu" npmArch pkg && fits "libc" "glibc" pkg;
  # The lockfile omits "resolved"; registry tarballs have a fixed name.
  tarball = path: pkg:
    let name = lib.last (lib.splitString "node_modules/" path);
    in fetchurl {
      url = "https://registry.npmjs.org/${name}/-/${baseNameOf name}-${pkg.version}.tgz";
      hash = pkg.integrity;
    };
  # runCommand has no fixup phase: the Bun runtime stays byte-identical. The
  # packages sit in $out/node_modules so that Bun, which resolves the symlink
  # below to its store path, still finds them by walking up to a node_modules.
  nodeModules = runCommand "bpftop-node-modules-${version}" { } (lib.concatStrings (lib.mapAttrsToList
    (path: pkg: lib.optionalString (wanted path pkg) ''
      mkdir -p "$out/${path}"
      tar -xzf ${tarball path pkg} --strip-components=1 -C "$out/${path}"
    '')
    lock.packages));

  embedded = [ "${zlib}/lib/libz.so.1" "${elfutils.out}/lib/libelf.so.1" "${libbpf}/lib/libbpf.so.1" ];
in
stdenv.mkDerivation {
  pname = if static then "bpftop-static" else "bpftop";
  inherit version;

  src = lib.fileset.toSource {
    root = ./..;
    fileset = lib.fileset.unions [ ../package.json ../package-lock.json ../tsconfig.json ../src ../bpf/bpftop.bpf.o ../launcher ];
  };

  nativeBuildInputs = [ patchelf ];
  dontConfigure = true;
  dontStrip = true;
  dontPatchELF = true;

  buildPhase = ''
    runHook preBuild
    ln -s ${nodeModules}/node_modules node_modules
    export HOME=$TMPDIR

    # A copy of Bun 1.4.5 with the Nix loader runs the build. The default
    # package is compiled onto that copy (Bun keeps a /nix/store loader when
    # it runs from one), so it starts on NixOS; the static one onto the
    # untouched upstream runtime, so it starts on any glibc distribution.
    cp node_modules/${bunRuntime}/bin/bun bun
    chmod u+w bun
    patchelf --set-interpreter "$(cat $NIX_CC/nix-support/dynamic-linker)" bun

    mkdir -p embed
    ${lib.optionalString static "cp -L ${lib.concatStringsSep " " embedded} embed/"}
    ./bun build --compile --minify --bytecode --format=esm \
      --external '@opentui/core-*-musl' \
      --no-compile-autoload-dotenv --no-compile-autoload-bunfig \
      --target=bun-linux-${npmArch} --asset-naming='[name].[ext]' \
      ${if static
        then "--compile-executable-path=node_modules/${bunRuntime}/bin/bun src/cli.ts embed/libz.so.1 embed/libelf.so.1 embed/libbpf.so.1"
        else "--define BPFTOP_LIBBPF_PATH='\"${libbpf}/lib/libbpf.so.1\"' src/cli.ts"} \
      --outfile bpftop

    # The launcher that security.wrappers gives the capabilities to; it execs
    # bin/bpftop and points OpenTUI at the store copy of its native library.
    # (nixpkgs' hardening flags add _FORTIFY_SOURCE, stack protector and PIE.)
    $CC -O2 -Wall -Wextra \
      -DBPFTOP_BINARY="\"$out/bin/bpftop\"" \
      -DBPFTOP_ASSET_ROOT="\"$out/lib/bpftop/opentui\"" \
      -DOPENTUI_LIBRARY="\"${opentuiLibrary}\"" \
      -o bpftop-launcher launcher/bpftop-launcher.c
    runHook postBuild
  '';

  installPhase = ''
    runHook preInstall
    install -Dm0555 bpftop $out/bin/bpftop
    install -Dm0555 bpftop-launcher $out/libexec/bpftop/bpftop-launcher
    install -Dm0444 node_modules/${opentuiLibrary} $out/lib/bpftop/opentui/${opentuiLibrary}
    runHook postInstall
  '';

  # `bpftop --version` needs no privileges and no BPF. (The static binary
  # wants /lib64/ld-linux-*, which the build sandbox does not have.)
  doInstallCheck = !static;
  installCheckPhase = ''
    $out/bin/bpftop --version | grep -qx "bpftop ${version}"
  '';

  # `nix build .#default.nodeModules` shows exactly what was fetched.
  passthru = { inherit nodeModules; };

  meta = {
    description = "An eBPF-powered top for Linux";
    license = lib.licenses.mit;
    # aarch64-linux also needs @opentui/core-linux-arm64 in package-lock.json,
    # which the current lockfile lacks (regenerate it against the full registry).
    platforms = [ "x86_64-linux" ];
    mainProgram = "bpftop";
  };
}
