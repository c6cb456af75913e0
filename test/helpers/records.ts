/** Build task_record bytes the way the kernel side writes them, for collector tests. */
import { IterTrailerLayout, TaskRecordLayout as L } from "../../src/bpf/records.ts";

export interface FakeTask {
  pid: number;
  tgid?: number;
  ppid?: number;
  uid?: number;
  euid?: number;
  state?: number;
  exitState?: number;
  flags?: number;
  nrThreads?: number;
  prio?: number;
  staticPrio?: number;
  runtimeNs?: number;
  deadRuntimeNs?: number;
  startNs?: number;
  cgroupId?: number;
  rssPages?: number;
  vmPages?: number;
  comm?: string | Uint8Array;
  frozen?: boolean;
}

function putU64(v: DataView, off: number, n: number) {
  v.setUint32(off, n % 0x1_0000_0000, true);
  v.setUint32(off + 4, Math.floor(n / 0x1_0000_0000), true);
}

export function encodeTasks(tasks: FakeTask[]): DataView {
  const v = new DataView(new ArrayBuffer(tasks.length * L.size));
  tasks.forEach((t, i) => {
    const o = i * L.size;
    putU64(v, o + L.runtime_ns, t.runtimeNs ?? 0);
    putU64(v, o + L.dead_runtime_ns, t.deadRuntimeNs ?? 0);
    putU64(v, o + L.start_ns, t.startNs ?? 1e9);
    putU64(v, o + L.cgroup_id, t.cgroupId ?? 1);
    putU64(v, o + L.rss_pages, t.rssPages ?? 0);
    putU64(v, o + L.vm_pages, t.vmPages ?? 0);
    v.setUint32(o + L.pid, t.pid, true);
    v.setUint32(o + L.tgid, t.tgid ?? t.pid, true);
    v.setUint32(o + L.ppid, t.ppid ?? 1, true);
    v.setUint32(o + L.uid, t.uid ?? 0, true);
    v.setUint32(o + L.euid, t.euid ?? t.uid ?? 0, true);
    v.setUint32(o + L.state, t.state ?? 1, true);
    v.setUint32(o + L.exit_state, t.exitState ?? 0, true);
    v.setUint32(o + L.flags, t.flags ?? 0, true);
    v.setUint32(o + L.nr_threads, t.nrThreads ?? 1, true);
    v.setInt32(o + L.prio, t.prio ?? 120, true);
    v.setInt32(o + L.static_prio, t.staticPrio ?? 120, true);
    v.setUint32(o + L.frozen, t.frozen ? 1 : 0, true);
    const comm = typeof t.comm === "string" || t.comm === undefined ? new TextEncoder().encode(t.comm ?? "task") : t.comm;
    new Uint8Array(v.buffer, o + L.comm, 16).set(comm.subarray(0, 16));
  });
  return v;
}

/** A fake of what TaskCollector reads: `inMap` tasks in the mmapped array, the rest streamed. */
export function fakeTaskSource(initial: FakeTask[], capacity = 1024) {
  let tasks = initial;
  return {
    set(next: FakeTask[]) {
      tasks = next;
    },
    bpf: {
      taskRecords: {
        entries: capacity,
        get view() {
          return encodeTasks(tasks.slice(0, capacity));
        },
      },
      taskIter: {
        run() {
          const streamed = encodeTasks(tasks.slice(capacity));
          const out = new DataView(new ArrayBuffer(streamed.byteLength + IterTrailerLayout.size));
          new Uint8Array(out.buffer).set(new Uint8Array(streamed.buffer));
          out.setUint32(streamed.byteLength + IterTrailerLayout.records_in_map, Math.min(tasks.length, capacity), true);
          return out;
        },
      },
    },
  };
}
