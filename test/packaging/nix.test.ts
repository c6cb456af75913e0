/**
 * The Nix files evaluated without nixpkgs (Debian's nix-bin, installed by
 * scripts/test.sh): nix/module.nix's security wrapper, what nix/package.nix
 * fetches and runs, and flake.nix's outputs. Each fixture in fixtures/ feeds
 * a stub lib (fixtures/stub-lib.nix) and fake dependencies to the real file.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";

const fixtures = new URL("fixtures/", import.meta.url).pathname;
const root = new URL("../..", import.meta.url).pathname;

function evaluate(file: string, args: string[] = []): any {
  const r = Bun.spawnSync(["nix-instantiate", "--eval", "--strict", "--json", `${fixtures}${file}`, ...args], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`nix-instantiate ${file}: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString());
}

const moduleWith = (enable: boolean, extra: string[] = []) => evaluate("module-eval.nix", ["--arg", "enable", String(enable), ...extra]);
const baseCaps = "cap_bpf,cap_perfmon,cap_kill,cap_sys_resource";

describe("nix/module.nix", () => {
  test("options default to disabled, group bpftop, no freeze, this repository's package", () => {
    expect(moduleWith(false).defaults).toEqual({
      enable: false,
      group: "bpftop",
      allowFreeze: false,
      package: "callPackage package.nix",
    });
  });

  test("enabled: a group-only wrapper around the launcher, permitted capabilities only", () => {
    const m = moduleWith(true);
    expect(m.groups).toEqual(["bpftop"]);
    expect(m.wrappers).toEqual({
      bpftop: {
        owner: "root",
        group: "bpftop",
        permissions: "u+rx,g+x",
        capabilities: `${baseCaps}+p`,
        source: "/nix/store/00000000000000000000000000000000-bpftop-0.1.0/libexec/bpftop/bpftop-launcher",
      },
    });
  });

  test("allowFreeze adds CAP_SYS_ADMIN and CAP_DAC_OVERRIDE", () => {
    expect(moduleWith(true, ["--arg", "allowFreeze", "true"]).wrappers.bpftop.capabilities).toBe(
      `${baseCaps},cap_sys_admin,cap_dac_override+p`,
    );
  });

  test("another group is created and owns the wrapper", () => {
    const m = moduleWith(true, ["--argstr", "group", "monitoring"]);
    expect(m.groups).toEqual(["monitoring"]);
    expect(m.wrappers.bpftop.group).toBe("monitoring");
  });

  test("disabled: no group, no wrapper", () => {
    const m = moduleWith(false, ["--arg", "allowFreeze", "true"]);
    expect(m.groups).toEqual([]);
    expect(m.wrappers).toEqual({});
  });
});

describe("nix/package.nix", () => {
  const lock = JSON.parse(readFileSync(`${root}package-lock.json`, "utf8"));
  const pkg = (isStatic: boolean) => evaluate("package-eval.nix", ["--arg", "static", String(isStatic)]);

  test("node_modules: each tarball pinned by the lockfile's own sha512, this platform's only", () => {
    const fetched = [...pkg(false).nodeModulesScript.matchAll(/fetched:(\S+)#(\S+)/g)].map((m) => ({ url: m[1], hash: m[2] }));
    const names = fetched.map((f) => f.url.replace(/^https:\/\/registry\.npmjs\.org\/(.+)\/-\/.*$/, "$1"));
    expect(names).toEqual(expect.arrayContaining(["@opentui/core", "@opentui/core-linux-x64", "@oven/bun-linux-x64", "citty", "picocolors", "web-tree-sitter"]));
    for (const wrongPlatform of ["@opentui/core-linux-x64-musl", "@oven/bun-linux-x64-musl", "@oven/bun-darwin-x64", "bun", "@types/bun"]) {
      expect(names).not.toContain(wrongPlatform);
    }
    for (const [i, f] of fetched.entries()) {
      expect(f.hash).toBe(lock.packages[`node_modules/${names[i]}`].integrity);
      expect(f.url).toBe(`https://registry.npmjs.org/${names[i]}/-/${names[i]!.split("/").pop()}-${lock.packages[`node_modules/${names[i]}`].version}.tgz`);
    }
  });

  test("default: nixpkgs' libbpf by absolute path, no stripping or patchelf of the compiled binary", () => {
    const p = pkg(false);
    expect(p.pname).toBe("bpftop");
    expect(p.version).toBe(lock.version);
    expect([p.dontStrip, p.dontPatchELF, p.doInstallCheck]).toEqual([true, true, true]);
    expect(p.buildPhase).toContain(`--define BPFTOP_LIBBPF_PATH='"/nix/store/libbpf/lib/libbpf.so.1"'`);
    expect(p.buildPhase).toContain("--no-compile-autoload-dotenv --no-compile-autoload-bunfig");
    expect(p.buildPhase).not.toContain("--compile-executable-path");
    // patchelf touches only the copy of Bun that runs the build, before it compiles.
    expect(p.buildPhase.match(/patchelf .*/g)).toEqual([`patchelf --set-interpreter "$(cat $NIX_CC/nix-support/dynamic-linker)" bun`]);
    expect(p.buildPhase).toContain(`-DBPFTOP_BINARY="\\"$out/bin/bpftop\\""`);
    expect(p.buildPhase).toContain(`-DBPFTOP_ASSET_ROOT="\\"$out/lib/bpftop/opentui\\""`);
    expect(p.installPhase).toContain("$out/libexec/bpftop/bpftop-launcher");
    expect(p.installPhase).toContain("$out/lib/bpftop/opentui/@opentui/core-linux-x64/libopentui.so");
  });

  test("static: libz, libelf and libbpf embedded, compiled onto the upstream Bun runtime", () => {
    const p = pkg(true);
    expect(p.pname).toBe("bpftop-static");
    expect([p.dontStrip, p.dontPatchELF]).toEqual([true, true]);
    expect(p.buildPhase).toContain("cp -L /nix/store/zlib/lib/libz.so.1 /nix/store/elfutils/lib/libelf.so.1 /nix/store/libbpf/lib/libbpf.so.1 embed/");
    expect(p.buildPhase).toContain("--compile-executable-path=node_modules/@oven/bun-linux-x64/bin/bun src/cli.ts embed/libz.so.1 embed/libelf.so.1 embed/libbpf.so.1");
    expect(p.buildPhase).not.toContain("BPFTOP_LIBBPF_PATH");
  });
});

describe("flake.nix", () => {
  const f = evaluate("flake-eval.nix");

  test("packages default and static, from nix/package.nix", () => {
    expect(f.packages["x86_64-linux"]).toEqual({
      default: { package: "package.nix", args: {}, system: "x86_64-linux" },
      static: { package: "package.nix", args: { static: true }, system: "x86_64-linux" },
    });
  });

  test("a development shell with the build and test tools", () => {
    for (const shell of Object.values(f.devShellPackages) as string[][]) {
      const names = shell.map((p) => p.replace(/^[^-]+-linux-/, ""));
      expect(names).toEqual(expect.arrayContaining(["bun", "clang", "llvm", "bpftools", "libbpf", "tmux", "strace", "hyperfine"]));
    }
  });

  test("nixosModules.default imports nix/module.nix and defaults to the flake's package", () => {
    expect(f.moduleImports).toEqual(["module.nix"]);
    expect(f.modulePackage).toEqual({
      _type: "override",
      priority: 1000,
      content: { package: "package.nix", args: {}, system: "x86_64-linux" },
    });
  });
});
