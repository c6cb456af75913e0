/** Finding the cgroup v2 mount: read /proc/self/mountinfo, never assume /sys/fs/cgroup. */
import { readFileSync } from "node:fs";

/** Mount point of the first cgroup2 filesystem, or undefined on a cgroup-v1-only host. */
export function findCgroup2Mount(mountinfo = readFileSync("/proc/self/mountinfo", "latin1")): string | undefined {
  for (const line of mountinfo.split("\n")) {
    // "36 25 0:30 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw": fstype follows " - ".
    const sep = line.indexOf(" - ");
    if (sep < 0) continue;
    if (line.slice(sep + 3).split(" ")[0] !== "cgroup2") continue;
    const mountPoint = line.slice(0, sep).split(" ")[4];
    // mountinfo escapes space, tab, newline and backslash as octal.
    if (mountPoint) return mountPoint.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  }
  return undefined;
}
