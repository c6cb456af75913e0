/**
 * Who owns a process: its cgroup v2 path, the systemd unit and the container
 * that path names. The task record carries only the cgroup id (the kernfs
 * inode number of the cgroup's directory); the id → path map is built by one
 * walk of the cgroup2 mount and walked again only when an unknown id turns up
 * (at most once a second). Unit and container are derived once per cgroup.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { sanitizeText } from "../bpf/records.ts";
import type { ContainerInfo, ContainerRuntime } from "../store/types.ts";

const RESCAN_MS = 1000;
/** Metadata files bigger than this are not read (they are untrusted input). */
const METADATA_LIMIT = 16 << 20;

export interface CgroupInfo {
  /** Relative to the cgroup2 mount, "/" for the root. */
  path: string;
  unit: string;
  container?: { id: string; runtime: ContainerRuntime; name?: string };
}

/** The systemd unit owning a cgroup path: the innermost .service or .scope, else the innermost .slice. */
export function unitOf(path: string): string {
  const parts = path.split("/").filter(Boolean);
  for (let i = parts.length - 1; i >= 0; i--) if (/\.(service|scope)$/.test(parts[i]!)) return parts[i]!;
  for (let i = parts.length - 1; i >= 0; i--) if (parts[i]!.endsWith(".slice")) return parts[i]!;
  return "";
}

const HEX64 = /^[0-9a-f]{64}$/;
const SCOPED: [RegExp, ContainerRuntime][] = [
  [/^docker-([0-9a-f]{64})\.scope$/, "docker"],
  [/^libpod-([0-9a-f]{64})\.scope$/, "podman"],
  [/^cri-containerd-([0-9a-f]{64})\.scope$/, "containerd"],
  [/^crio-([0-9a-f]{64})\.scope$/, "crio"],
];

/**
 * The container a cgroup path belongs to, innermost first: systemd-driver
 * scopes (docker-<id>.scope, libpod-<id>.scope, cri-containerd-<id>.scope,
 * crio-<id>.scope), cgroupfs-driver paths (/docker/<id>, /kubepods/…/<id>),
 * LXC payloads and systemd-nspawn machines. Rootless containers live under
 * user@UID.service and are recognised the same way.
 */
export function containerOf(path: string): CgroupInfo["container"] {
  const parts = path.split("/").filter(Boolean);
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i]!;
    for (const [re, runtime] of SCOPED) {
      const m = re.exec(p);
      if (m) return { id: m[1]!, runtime };
    }
    if (HEX64.test(p)) {
      if (parts[i - 1] === "docker") return { id: p, runtime: "docker" };
      if (parts.slice(0, i).some((q) => q.startsWith("kubepods"))) return { id: p, runtime: "kubernetes" };
    }
    const lxc = /^lxc\.payload\.(.+)$/.exec(p);
    if (lxc) return { id: lxc[1]!, runtime: "lxc", name: lxc[1]! };
    const nspawn = /^systemd-nspawn@(.+)\.service$/.exec(p);
    if (nspawn) return { id: nspawn[1]!, runtime: "systemd-nspawn", name: nspawn[1]!.replace(/\\x2d/g, "-") };
  }
  return undefined;
}

export class CgroupDirectory {
  private byId = new Map<number, CgroupInfo>();
  private lastScanMs = -Infinity;
  /** Walks of the hierarchy so far (tests and benchmarks). */
  scans = 0;

  /** `mount`: the cgroup2 mount point, undefined on a cgroup-v1-only host. */
  constructor(readonly mount: string | undefined) {}

  /** The cgroup of id, walking the hierarchy again (rate-limited) if the id is new. */
  info(id: number): CgroupInfo | undefined {
    const known = this.byId.get(id);
    if (known || !this.mount) return known;
    if (performance.now() - this.lastScanMs < RESCAN_MS) return undefined;
    this.scan();
    return this.byId.get(id);
  }

  private scan(): void {
    this.lastScanMs = performance.now();
    this.scans++;
    const next = new Map<number, CgroupInfo>();
    const walk = (dir: string, rel: string) => {
      let ino: number;
      try {
        ino = statSync(dir).ino;
      } catch {
        return; // removed while walking
      }
      const path = rel || "/";
      next.set(ino, this.byId.get(ino)?.path === path ? this.byId.get(ino)! : { path, unit: unitOf(path), container: containerOf(path) });
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) if (e.isDirectory()) walk(join(dir, e.name), `${rel}/${e.name}`);
    };
    walk(this.mount!, "");
    this.byId = next;
  }
}

/**
 * Container names from the runtimes' own files, without any daemon socket:
 * Docker's containers/<id>/config.v2.json and Podman's
 * overlay-containers/containers.json, rootful (under /var/lib) and rootless
 * (under the user's home). `root` prefixes every path (tests point it at a
 * fixture tree). Unknown: the 12-character short id.
 */
export class ContainerNames {
  private readonly names = new Map<string, string>();

  constructor(
    private readonly root = "/",
    private readonly homeOf: (uid: number) => string | undefined = () => undefined,
  ) {}

  name(c: NonNullable<CgroupInfo["container"]>, cgroupPath: string): string {
    if (c.name) return c.name;
    const key = `${c.runtime}:${c.id}`;
    let name = this.names.get(key);
    if (name === undefined) {
      name = this.lookup(c, cgroupPath) ?? c.id.slice(0, 12);
      this.names.set(key, name);
    }
    return name;
  }

  private lookup(c: NonNullable<CgroupInfo["container"]>, cgroupPath: string): string | undefined {
    const uid = /\/user@(\d+)\.service\//.exec(cgroupPath)?.[1];
    const home = uid !== undefined ? this.homeOf(Number(uid)) : undefined;
    const under = (p: string) => join(this.root, p);
    if (c.runtime === "docker") {
      const dirs = [under("var/lib/docker"), ...(home ? [under(join(home, ".local/share/docker"))] : [])];
      for (const d of dirs) {
        const cfg = readJson(join(d, "containers", c.id, "config.v2.json")) as { Name?: unknown } | undefined;
        if (typeof cfg?.Name === "string" && cfg.Name) return clean(cfg.Name.replace(/^\//, ""));
      }
    }
    if (c.runtime === "podman") {
      const stores = [under("var/lib/containers/storage"), ...(home ? [under(join(home, ".local/share/containers/storage"))] : [])];
      for (const s of stores) {
        const list = readJson(join(s, "overlay-containers", "containers.json"));
        if (!Array.isArray(list)) continue;
        const entry = list.find((e: { id?: unknown }) => e?.id === c.id) as { names?: unknown } | undefined;
        if (Array.isArray(entry?.names) && typeof entry.names[0] === "string") return clean(entry.names[0]);
      }
    }
    return undefined;
  }
}

function readJson(path: string): unknown {
  try {
    if (statSync(path).size > METADATA_LIMIT) return undefined;
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

/** A name from a metadata file: printable, and short enough for a column. */
function clean(name: string): string {
  return sanitizeText(name).slice(0, 128);
}

/** Frozen state of one cgroup, from its cgroup.events ("frozen 1"). */
export function cgroupFrozen(mount: string, path: string): boolean {
  try {
    return /^frozen 1$/m.test(readFileSync(join(mount, path, "cgroup.events"), "latin1"));
  } catch {
    return false;
  }
}
