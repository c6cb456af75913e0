/**
 * Ownership and freeze/thaw against real cgroup v2 hierarchies shaped like
 * systemd's and the container runtimes', with real processes moved in.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ContainerNames } from "../../src/collect/cgroups.ts";
import { Freezer } from "../../src/collect/freezer.ts";
import { findCgroup2Mount } from "../../src/collect/mounts.ts";
import { Monitor } from "../../src/store/monitor.ts";
import { compileC } from "../helpers/cc.ts";
import { describeBpf } from "../helpers/privileges.ts";

const root = new URL("../..", import.meta.url).pathname;
const mount = findCgroup2Mount()!;
const base = `/bpftop-test-${process.pid}`;
const hex = (c: string) => c.repeat(64);
const DOCKER = hex("a"), PODMAN = hex("b"), KUBE = hex("c");
const spawned: Bun.Subprocess[] = [];

function cgroup(path: string): string {
  mkdirSync(join(mount, base, path), { recursive: true });
  return `${base}/${path}`;
}

/** A `sleep` moved into the cgroup at path (relative to the mount). */
function sleeperIn(path: string, argv = ["sleep", "300"]): number {
  const p = Bun.spawn(argv, { stdout: "ignore" });
  spawned.push(p);
  writeFileSync(join(mount, path, "cgroup.procs"), String(p.pid));
  return p.pid;
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(f[11]) + Number(f[12]);
}

function removeTree(dir: string) {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeTree(join(dir, e.name));
  rmdirSync(dir);
}

const metadata = mkdtempSync(join(tmpdir(), "bpftop-meta-"));

describeBpf("cgroups, units and containers", () => {
  let monitor: Monitor;
  beforeAll(async () => {
    mkdirSync(join(metadata, "var/lib/docker/containers", DOCKER), { recursive: true });
    writeFileSync(join(metadata, "var/lib/docker/containers", DOCKER, "config.v2.json"), JSON.stringify({ ID: DOCKER, Name: "/web-1" }));
    mkdirSync(join(metadata, "var/lib/containers/storage/overlay-containers"), { recursive: true });
    writeFileSync(join(metadata, "var/lib/containers/storage/overlay-containers/containers.json"), JSON.stringify([{ id: hex("f"), names: ["other"] }, { id: PODMAN, names: ["db-1"] }]));
    monitor = await Monitor.open({ net: false, containerMetadataRoot: metadata });
  });
  afterAll(() => {
    for (const p of spawned) p.kill("SIGKILL");
    monitor?.close();
    Bun.sleepSync(100);
    removeTree(join(mount, base));
  });

  test("UNIT and CONTAINER from the cgroup path, container names from the runtimes' files", async () => {
    const demo = sleeperIn(cgroup("system.slice/demo.service"));
    const web = sleeperIn(cgroup(`system.slice/docker-${DOCKER}.scope`));
    const db = sleeperIn(cgroup(`machine.slice/libpod-${PODMAN}.scope`));
    const pod = sleeperIn(cgroup(`kubepods/burstable/pod0b1c/${KUBE}`));
    const user = sleeperIn(cgroup("user.slice/user-1000.slice/user@1000.service/app.slice/foo.service"));
    const rows = new Map(monitor.refresh().rows.map((r) => [r.pid, r]));
    expect(rows.get(demo)).toMatchObject({ cgroup: `${base}/system.slice/demo.service`, unit: "demo.service" });
    expect(rows.get(demo)!.container).toBeUndefined();
    expect(rows.get(web)).toMatchObject({ unit: `docker-${DOCKER}.scope`, container: { id: DOCKER, name: "web-1", runtime: "docker" } });
    expect(rows.get(db)).toMatchObject({ container: { id: PODMAN, name: "db-1", runtime: "podman" } });
    expect(rows.get(pod)).toMatchObject({ unit: "", container: { id: KUBE, name: KUBE.slice(0, 12), runtime: "kubernetes" } });
    expect(rows.get(user)).toMatchObject({ unit: "foo.service" });
  });

  test("the snapshot JSON carries cgroup, unit, container, frozen and GPU fields", () => {
    const pid = sleeperIn(cgroup(`system.slice/docker-${DOCKER}.scope`));
    const r = Bun.spawnSync([process.execPath, `${root}src/cli.ts`, "snapshot", "--json", "--interval", "20"]);
    const doc = JSON.parse(r.stdout.toString());
    const p = doc.processes.find((x: { pid: number }) => x.pid === pid);
    // The CLI reads the real /var/lib: no metadata there, so the short id names it.
    expect(p).toMatchObject({ cgroup: `${base}/system.slice/docker-${DOCKER}.scope`, unit: `docker-${DOCKER}.scope`, container: { id: DOCKER, name: DOCKER.slice(0, 12), runtime: "docker" }, frozen: false, gpu_memory_bytes: 0, gpu_percent: 0 });
  });

  test("freeze: a busy and a forking process stop, newcomers are born frozen, thaw restores them", async () => {
    const spin = compileC(`${root}test/fixtures/spin.c`, "spin", ["-pthread"]);
    const path = cgroup("freezer/work.service");
    const busy = sleeperIn(path, [spin, "1"]);
    const forker = sleeperIn(path, ["sh", "-c", "while :; do /bin/true; done"]);
    await Bun.sleep(200);
    const freezer = monitor.freezer;
    const plan = freezer.planForPid(busy);
    expect(plan.cgroup).toBe(path);
    expect(plan.unit).toBe("work.service");
    expect(plan.pids).toContain(busy);
    expect(plan.pids).toContain(forker);

    const done = freezer.freeze(plan);
    expect(done.frozen).toBe(true);
    expect(readFileSync(join(mount, path, "cgroup.events"), "latin1")).toMatch(/^frozen 1$/m);
    const t0 = cpuTicks(busy);
    const members = readFileSync(join(mount, path, "cgroup.procs"), "latin1");
    await Bun.sleep(500);
    expect(cpuTicks(busy)).toBe(t0);
    // The forker forks no more: the same processes, no new children.
    expect(readFileSync(join(mount, path, "cgroup.procs"), "latin1")).toBe(members);
    const newcomer = sleeperIn(path);
    await Bun.sleep(100);
    const s = monitor.refresh();
    const rows = new Map(s.rows.map((r) => [r.pid, r]));
    expect([busy, forker, newcomer].map((p) => rows.get(p)?.frozen)).toEqual([true, true, true]);
    expect(s.system.frozenCgroups).toBe(1);

    expect(freezer.planThawForPid(newcomer).cgroup).toBe(path);
    const thawed = freezer.thaw(freezer.planThawForPid(busy));
    expect(thawed.frozen).toBe(false);
    await Bun.sleep(300);
    expect(cpuTicks(busy)).toBeGreaterThan(t0);
    expect(monitor.refresh().system.frozenCgroups).toBe(0);
  });

  test("a process in the root cgroup is frozen alone in a cgroup of its own, removed after thaw", async () => {
    const p = Bun.spawn(["sleep", "300"]);
    spawned.push(p);
    const freezer = monitor.freezer;
    const plan = freezer.planForPid(p.pid);
    expect(plan).toMatchObject({ cgroup: `/bpftop-frozen-${p.pid}`, movesProcess: true, pids: [p.pid] });
    const done = freezer.freeze(plan);
    expect(done.frozen).toBe(true);
    expect(readFileSync(`/proc/${p.pid}/cgroup`, "latin1")).toContain(`0::/bpftop-frozen-${p.pid}`);
    freezer.thaw(freezer.planThawForPid(p.pid));
    expect(readFileSync(`/proc/${p.pid}/cgroup`, "latin1")).toContain("0::/\n");
    expect(existsSync(join(mount, `bpftop-frozen-${p.pid}`))).toBe(false);
  });

  test("refusals: the root cgroup, bpftop's own cgroup and its ancestors, init.scope, kernel threads", () => {
    const path = cgroup("self/bpftop.service");
    const self = sleeperIn(path);
    // A freezer that believes it runs as `self`.
    const f = new Freezer(mount, new ContainerNames(metadata), self);
    expect(() => f.planForPath("/")).toThrow("refusing to freeze the root cgroup: it holds every process on the machine");
    expect(() => f.planForPath(path)).toThrow(`refusing to freeze ${path}: bpftop itself runs in ${path}`);
    expect(() => f.planForPath(`${base}/self`)).toThrow(`refusing to freeze ${base}/self: bpftop itself runs in ${path}`);
    expect(() => f.planForPath("/init.scope")).toThrow("refusing to freeze /init.scope: it holds PID 1, the system manager");
    expect(() => f.planForPid(2)).toThrow("PID 2 is a kernel thread; kernel threads cannot be frozen");
    expect(() => f.planForPid(self)).toThrow("bpftop will not freeze itself");
    expect(() => new Freezer(undefined, new ContainerNames(metadata)).planForPid(1)).toThrow("freeze needs cgroup v2, and this host has only cgroup v1 hierarchies");
  });

  test("bpftop freeze/thaw on the command line print the PIDs", () => {
    const path = cgroup("cli/x.service");
    const pid = sleeperIn(path);
    const cli = (...args: string[]) => Bun.spawnSync([process.execPath, `${root}src/cli.ts`, ...args], { env: { ...process.env, NO_COLOR: "1" } });
    const frozen = cli("freeze", path, "--yes");
    expect(frozen.exitCode).toBe(0);
    expect(frozen.stdout.toString()).toBe(`freeze ${path} [unit x.service]: 1 process: ${pid}\nfrozen ${path} [unit x.service]: 1 process: ${pid}\n`);
    const thawed = cli("thaw", String(pid));
    expect(thawed.stdout.toString()).toBe(`thawed ${path} [unit x.service]: 1 process: ${pid}\n`);
    const refused = cli("freeze", "/init.scope", "--yes");
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr.toString()).toBe("bpftop: refusing to freeze /init.scope: it holds PID 1, the system manager\n");
  });
});
