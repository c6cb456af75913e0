/**
 * cgroup v2 freeze and thaw: write cgroup.freeze, wait for cgroup.events to
 * agree. A process in the root cgroup is first moved into a cgroup of its own
 * (/bpftop-frozen-PID) so it can be frozen alone; thaw moves it back and
 * removes that cgroup. Some cgroups are never frozen: the root, bpftop's own
 * cgroup and its ancestors (bpftop would stop itself), init.scope (PID 1),
 * and kernel threads cannot be frozen at all.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FreezeTarget } from "../store/types.ts";
import { containerOf, unitOf, type ContainerNames } from "./cgroups.ts";

const PF_KTHREAD = 0x00200000;
const OWN_CGROUP_PREFIX = "/bpftop-frozen-";
const SETTLE_MS = 2000;

export class FreezeError extends Error {
  override name = "FreezeError";
}

export class Freezer {
  constructor(
    /** The cgroup2 mount; undefined on a cgroup-v1-only host. */
    readonly mount: string | undefined,
    private readonly containers: ContainerNames,
    private readonly selfPid = process.pid,
    private readonly procRoot = "/proc",
  ) {}

  /** Why freeze/thaw cannot work here at all. */
  get unavailable(): string | undefined {
    return this.mount ? undefined : "freeze needs cgroup v2, and this host has only cgroup v1 hierarchies";
  }

  /** What freezing pid's cgroup would stop; throws FreezeError with the refusal. */
  planForPid(pid: number): FreezeTarget {
    this.requireV2();
    if (pid === this.selfPid) throw new FreezeError("bpftop will not freeze itself");
    if (this.isKernelThread(pid)) throw new FreezeError(`PID ${pid} is a kernel thread; kernel threads cannot be frozen`);
    const path = this.cgroupOf(pid);
    if (path === "/") {
      // Frozen alone, in a cgroup of its own: the root cgroup itself cannot be frozen.
      return { cgroup: `${OWN_CGROUP_PREFIX}${pid}`, unit: "", pids: [pid], movesProcess: true, frozen: false };
    }
    return this.planForPath(path);
  }

  /** What freezing a cgroup (path relative to the mount) would stop; throws FreezeError with the refusal. */
  planForPath(path: string): FreezeTarget {
    this.requireV2();
    const p = normalize(path);
    if (p === "/") throw new FreezeError("refusing to freeze the root cgroup: it holds every process on the machine");
    if (p === "/init.scope") throw new FreezeError("refusing to freeze /init.scope: it holds PID 1, the system manager");
    const own = this.cgroupOf(this.selfPid);
    if (own === p || own.startsWith(`${p}/`)) throw new FreezeError(`refusing to freeze ${p}: bpftop itself runs in ${own}`);
    if (!existsSync(join(this.mount!, p, "cgroup.freeze"))) throw new FreezeError(`no cgroup ${p} under ${this.mount}`);
    return this.describe(p, false);
  }

  /** The frozen cgroup that holds pid (its own or an ancestor); throws if pid is not frozen. */
  planThawForPid(pid: number): FreezeTarget {
    this.requireV2();
    let p = this.cgroupOf(pid);
    for (; p !== "/"; p = parent(p)) if (this.freezeSetting(p)) return this.describe(p, true);
    throw new FreezeError(`PID ${pid} is not in a frozen cgroup`);
  }

  planThawForPath(path: string): FreezeTarget {
    this.requireV2();
    const p = normalize(path);
    if (!this.freezeSetting(p)) throw new FreezeError(`cgroup ${p} is not frozen`);
    return this.describe(p, true);
  }

  freeze(t: FreezeTarget): FreezeTarget {
    const dir = join(this.mount!, t.cgroup);
    if (t.movesProcess) {
      mkdirSync(dir, { recursive: true });
      this.write(join(dir, "cgroup.procs"), String(t.pids[0]), `move PID ${t.pids[0]} into ${t.cgroup}`);
    }
    this.write(join(dir, "cgroup.freeze"), "1", `freeze ${t.cgroup}`);
    const frozen = this.settle(t.cgroup, true);
    return { ...this.describe(t.cgroup, frozen), movesProcess: t.movesProcess };
  }

  thaw(t: FreezeTarget): FreezeTarget {
    const dir = join(this.mount!, t.cgroup);
    this.write(join(dir, "cgroup.freeze"), "0", `thaw ${t.cgroup}`);
    const thawed = this.describe(t.cgroup, this.settle(t.cgroup, false));
    if (t.cgroup.startsWith(OWN_CGROUP_PREFIX)) {
      // bpftop made this cgroup to freeze a root-cgroup process: put it back and clean up.
      for (const pid of thawed.pids) this.write(join(this.mount!, "cgroup.procs"), String(pid), `move PID ${pid} back to the root cgroup`);
      try {
        rmdirSync(dir);
      } catch {
        /* a process joined it meanwhile; leave it */
      }
    }
    return thawed;
  }

  // --- internal ---

  private requireV2(): void {
    if (!this.mount) throw new FreezeError(this.unavailable!);
  }

  private describe(path: string, frozen: boolean): FreezeTarget {
    const c = containerOf(path);
    return {
      cgroup: path,
      unit: unitOf(path),
      container: c && { id: c.id, runtime: c.runtime, name: this.containers.name(c, path) },
      pids: this.pidsUnder(path),
      movesProcess: false,
      frozen,
    };
  }

  /** Every process in a cgroup and its descendants. */
  private pidsUnder(path: string): number[] {
    const pids: number[] = [];
    const walk = (dir: string) => {
      try {
        for (const l of readFileSync(join(dir, "cgroup.procs"), "latin1").split("\n")) if (l) pids.push(Number(l));
        for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name));
      } catch {
        /* removed while walking */
      }
    };
    walk(join(this.mount!, path));
    return pids.sort((a, b) => a - b);
  }

  private freezeSetting(path: string): boolean {
    try {
      return readFileSync(join(this.mount!, path, "cgroup.freeze"), "latin1").trim() === "1";
    } catch {
      return false;
    }
  }

  /** Wait until cgroup.events reports the wanted state; returns the state reached. */
  private settle(path: string, frozen: boolean): boolean {
    const end = performance.now() + SETTLE_MS;
    for (;;) {
      let now = false;
      try {
        now = /^frozen 1$/m.test(readFileSync(join(this.mount!, path, "cgroup.events"), "latin1"));
      } catch {
        return !frozen;
      }
      if (now === frozen || performance.now() > end) return now;
      Bun.sleepSync(5);
    }
  }

  private cgroupOf(pid: number): string {
    let text: string;
    try {
      text = readFileSync(`${this.procRoot}/${pid}/cgroup`, "latin1");
    } catch {
      throw new FreezeError(`no process ${pid}`);
    }
    const m = /^0::(.*)$/m.exec(text);
    if (!m) throw new FreezeError(`PID ${pid} has no cgroup v2 membership`);
    return normalize(m[1]!.replace(/ \(deleted\)$/, ""));
  }

  private isKernelThread(pid: number): boolean {
    try {
      const stat = readFileSync(`${this.procRoot}/${pid}/stat`, "latin1");
      const flags = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[6]);
      return (flags & PF_KTHREAD) !== 0;
    } catch {
      throw new FreezeError(`no process ${pid}`);
    }
  }

  private write(file: string, value: string, what: string): void {
    try {
      writeFileSync(file, value);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === "EACCES" || code === "EPERM" ? "permission denied (needs root, or CAP_SYS_ADMIN and CAP_DAC_OVERRIDE: install with --allow-freeze)" : (e as Error).message;
      throw new FreezeError(`cannot ${what}: ${why}`);
    }
  }
}

function normalize(path: string): string {
  const p = `/${path.split("/").filter(Boolean).join("/")}`;
  return p;
}

function parent(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}
