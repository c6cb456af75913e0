/**
 * `bpftop snapshot --json`: one document, snake_case keys that are part of
 * bpftop's interface (never renamed, only added to).
 */
import type { ConnectionRow, CpuUsage, NetStats, ProcessRow, SystemSummary } from "../store/types.ts";

const round2 = (n: number) => Math.round(n * 100) / 100;
const orNull = (n: number) => (Number.isFinite(n) ? n : null);

function cpuJson(c: CpuUsage) {
  return {
    name: c.name,
    busy_percent: round2(c.busy),
    user_percent: round2(c.user),
    nice_percent: round2(c.nice),
    system_percent: round2(c.system),
    irq_percent: round2(c.irq),
    iowait_percent: round2(c.iowait),
    steal_percent: round2(c.steal),
  };
}

export function processJson(r: ProcessRow) {
  return {
    pid: r.pid,
    ppid: r.ppid,
    uid: r.uid,
    euid: r.euid,
    user: r.user,
    comm: r.comm,
    cmdline: r.cmdline,
    state: r.state,
    threads: r.threads,
    priority: r.priority,
    nice: r.nice,
    cpu_percent: round2(r.cpuPercent),
    cpu_time_ns: r.cpuTimeNs,
    rss_bytes: r.rssBytes,
    vsize_bytes: r.vsizeBytes,
    mem_percent: round2(r.memPercent),
    start_time: new Date(Math.round(r.startTimeMs)).toISOString(),
    cgroup_id: r.cgroupId,
    cgroup: r.cgroup || null,
    unit: r.unit || null,
    container: r.container ? { id: r.container.id, name: r.container.name, runtime: r.container.runtime } : null,
    frozen: r.frozen,
    gpu_memory_bytes: r.gpuMemoryBytes,
    gpu_percent: Math.round(r.gpuPercent * 100) / 100,
    net_send_rate: Math.round(r.netSendRate),
    net_receive_rate: Math.round(r.netReceiveRate),
    kernel_thread: r.kernelThread,
  };
}

export function snapshotJson(rows: readonly ProcessRow[], system: SystemSummary, intervalMs: number, version: string) {
  const m = system.memory;
  return {
    bpftop_version: version,
    time: new Date(system.timeMs).toISOString(),
    interval_ms: intervalMs,
    system: {
      hostname: system.hostname,
      kernel: system.kernel,
      uptime_seconds: system.uptimeSeconds,
      load_average: system.load,
      cpu: cpuJson(system.cpuTotal),
      cpus: system.cpus.map(cpuJson),
      memory: {
        total_bytes: m.totalBytes,
        used_bytes: m.usedBytes,
        buffers_bytes: m.buffersBytes,
        cache_bytes: m.cacheBytes,
        available_bytes: m.availableBytes,
        swap_total_bytes: m.swapTotalBytes,
        swap_used_bytes: m.swapUsedBytes,
      },
      // NVML reports NaN for what a GPU cannot tell (no memory of its own, no sensor): null in JSON.
      gpus: system.gpus.map((g) => ({
        index: g.index,
        name: g.name,
        util_percent: orNull(g.utilPercent),
        memory_used_bytes: orNull(g.memoryUsedBytes),
        memory_total_bytes: orNull(g.memoryTotalBytes),
        temperature_c: orNull(g.temperatureC),
      })),
      frozen_cgroups: system.frozenCgroups,
      tasks: {
        processes: system.tasks.processes,
        user_threads: system.tasks.userThreads,
        kernel_threads: system.tasks.kernelThreads,
        by_state: system.tasks.byState,
      },
    },
    // The processes that exist now: not threads, not the exited ones kept on screen.
    processes: rows.filter((r) => !r.isThread && !r.exit).sort((a, b) => a.pid - b.pid).map(processJson),
  };
}

export function connectionJson(c: ConnectionRow) {
  return {
    proto: c.proto,
    local: c.local,
    remote: c.remote,
    local_addr: c.localAddr,
    local_port: c.localPort,
    remote_addr: c.remoteAddr,
    remote_port: c.remotePort,
    state: c.state,
    pid: c.pid || null,
    comm: c.comm || null,
    user: c.user || null,
    bytes_sent: c.bytesSent,
    bytes_received: c.bytesReceived,
    packets_sent: c.packetsSent,
    packets_received: c.packetsReceived,
    send_rate: Math.round(c.sendRate),
    receive_rate: Math.round(c.receiveRate),
    rtt_us: c.rttUs,
    retransmits: c.retransmits,
    resets_sent: c.resetsSent,
    resets_received: c.resetsReceived,
    states_seen: c.statesSeen,
    approximate: c.approximate,
    closed: c.closed !== undefined,
  };
}

export function connectionsJson(rows: readonly ConnectionRow[], stats: NetStats, intervalMs: number, version: string) {
  return {
    bpftop_version: version,
    time: new Date().toISOString(),
    interval_ms: intervalMs,
    summary: {
      connections: stats.connections,
      by_state: stats.byState,
      send_rate: Math.round(stats.sendRate),
      receive_rate: Math.round(stats.receiveRate),
      dropped: stats.dropped,
      degraded: stats.degraded ?? null,
    },
    connections: rows.map(connectionJson),
  };
}
