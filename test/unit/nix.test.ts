/** Every .nix file must parse (nix-instantiate from Debian's nix-bin, installed by scripts/test.sh). */
import { expect, test } from "bun:test";
import { Glob } from "bun";

const root = new URL("../..", import.meta.url).pathname;
const files = [...new Glob("**/*.nix").scanSync({ cwd: root })].filter((f) => !f.startsWith("node_modules/"));

test("there is a flake.nix", () => {
  expect(files).toContain("flake.nix");
});

test.each(files)("%s parses", (file) => {
  const r = Bun.spawnSync(["nix-instantiate", "--parse", `${root}${file}`], { stderr: "pipe" });
  expect(r.stderr.toString()).toBe("");
  expect(r.exitCode).toBe(0);
});
