/**
 * Decoders for the records in bpf/bpftop.h — the only place that knows their
 * byte layout. test/unit/records-layout.test.ts compiles the C header and
 * checks every offset here against offsetof(), so the two cannot drift.
 */

/** Names shared with bpf/bpftop.bpf.c. */
export const PROGRAMS = {
  taskIterator: "dump_task",
  exec: "handle_exec",
  exit: "handle_exit",
  fork: "handle_fork",
  sockSend: "sock_send",
  sockRecv: "sock_recv",
  tcpState: "tcp_state",
  tcpSendReset: "tcp_send_rst",
  tcpReceiveReset: "tcp_recv_rst",
  tcpIterator: "dump_tcp",
  udpIterator: "dump_udp",
  socketOwners: "claim_socket_owners",
  syscallCounter: "count_syscalls",
} as const;
export const MAPS = {
  taskRecords: "task_records",
  events: "events",
  eventDrops: "event_drops",
  connRecords: "conn_records",
  connEvents: "conn_events",
  syscallCounter: "syscall_counter",
} as const;
/** event_drops slots (DROPS_* in bpftop.h). */
export const DropSlot = { processEvents: 0, connEvents: 1 } as const;

export const TASK_COMM_LEN = 16;

/** struct task_record */
export const TaskRecordLayout = {
  size: 112,
  runtime_ns: 0,
  dead_runtime_ns: 8,
  start_ns: 16,
  cgroup_id: 24,
  rss_pages: 32,
  vm_pages: 40,
  pid: 48,
  tgid: 52,
  ppid: 56,
  uid: 60,
  euid: 64,
  state: 68,
  exit_state: 72,
  flags: 76,
  nr_threads: 80,
  prio: 84,
  static_prio: 88,
  frozen: 92,
  comm: 96,
} as const;

export const FILENAME_LEN = 256;

/** enum event_type */
export const EventType = { exec: 1, exit: 2, fork: 3 } as const;

/** struct event_record */
export const EventRecordLayout = {
  size: 336,
  ts_ns: 0,
  start_ns: 8,
  cpu_ns: 16,
  cgroup_id: 24,
  peak_rss_pages: 32,
  type: 40,
  pid: 44,
  ppid: 48,
  uid: 52,
  exit_code: 56,
  _pad: 60,
  comm: 64,
  filename: 80,
} as const;

/** struct conn_record */
export const ConnRecordLayout = {
  size: 176,
  cookie: 0,
  bytes_sent: 8,
  bytes_received: 16,
  sends: 24,
  recvs: 32,
  wire_bytes_acked: 40,
  wire_bytes_received: 48,
  first_seen_ns: 56,
  ts_ns: 64,
  segs_out: 72,
  segs_in: 76,
  srtt_us: 80,
  retransmits: 84,
  cwnd: 88,
  resets_sent: 92,
  resets_received: 96,
  tgid: 100,
  uid: 104,
  state: 108,
  states_seen: 112,
  flags: 116,
  family: 120,
  protocol: 122,
  lport: 124,
  rport: 126,
  laddr: 128,
  raddr: 144,
  comm: 160,
} as const;

/** CONN_* flags */
export const ConnFlags = { bornSeen: 0x1, ownerKnown: 0x2 } as const;

/** struct iter_trailer */
export const IterTrailerLayout = { size: 8, records_in_map: 0, _pad: 4 } as const;

export interface TaskRecord {
  runtimeNs: number;
  deadRuntimeNs: number;
  startNs: number;
  cgroupId: number;
  rssPages: number;
  vmPages: number;
  pid: number;
  tgid: number;
  ppid: number;
  uid: number;
  euid: number;
  state: number;
  exitState: number;
  flags: number;
  nrThreads: number;
  prio: number;
  staticPrio: number;
  /** Stopped by the cgroup v2 freezer. */
  frozen: boolean;
  /**
   * comm as four little-endian words: cheap to compare, so the text is
   * decoded only when it changes (see commText).
   */
  comm0: number;
  comm1: number;
  comm2: number;
  comm3: number;
}

export function emptyTaskRecord(): TaskRecord {
  return {
    runtimeNs: 0, deadRuntimeNs: 0, startNs: 0, cgroupId: 0, rssPages: 0, vmPages: 0,
    pid: 0, tgid: 0, ppid: 0, uid: 0, euid: 0, state: 0, exitState: 0, flags: 0,
    nrThreads: 0, prio: 0, staticPrio: 0, frozen: false, comm0: 0, comm1: 0, comm2: 0, comm3: 0,
  };
}

/**
 * A little-endian u64 as a double. Exact below 2^53 (104 days of CPU time in
 * ns); beyond that the error is a few ns, irrelevant for rates. Avoids BigInt,
 * which costs 4× in the per-task loop (shared/design.md).
 */
export function u64(v: DataView, off: number): number {
  return v.getUint32(off, true) + v.getUint32(off + 4, true) * 0x1_0000_0000;
}

/** Reject a record that would run past the end of its buffer, before reading any of it. */
function assertRoom(v: DataView, off: number, size: number, record: string): void {
  if (off + size > v.byteLength) throw new RangeError(`${record} at ${off} overruns a ${v.byteLength}-byte buffer`);
}

/** Decode the task_record at byte offset `off` of `v` into `out` (reused, no allocation). */
export function readTaskRecord(v: DataView, off: number, out: TaskRecord): TaskRecord {
  assertRoom(v, off, TaskRecordLayout.size, "task_record");
  const L = TaskRecordLayout;
  out.runtimeNs = u64(v, off + L.runtime_ns);
  out.deadRuntimeNs = u64(v, off + L.dead_runtime_ns);
  out.startNs = u64(v, off + L.start_ns);
  out.cgroupId = u64(v, off + L.cgroup_id);
  out.rssPages = u64(v, off + L.rss_pages);
  out.vmPages = u64(v, off + L.vm_pages);
  out.pid = v.getUint32(off + L.pid, true);
  out.tgid = v.getUint32(off + L.tgid, true);
  out.ppid = v.getUint32(off + L.ppid, true);
  out.uid = v.getUint32(off + L.uid, true);
  out.euid = v.getUint32(off + L.euid, true);
  out.state = v.getUint32(off + L.state, true);
  out.exitState = v.getUint32(off + L.exit_state, true);
  out.flags = v.getUint32(off + L.flags, true);
  out.nrThreads = v.getUint32(off + L.nr_threads, true);
  out.prio = v.getInt32(off + L.prio, true);
  out.staticPrio = v.getInt32(off + L.static_prio, true);
  out.frozen = v.getUint32(off + L.frozen, true) !== 0;
  out.comm0 = v.getUint32(off + L.comm, true);
  out.comm1 = v.getUint32(off + L.comm + 4, true);
  out.comm2 = v.getUint32(off + L.comm + 8, true);
  out.comm3 = v.getUint32(off + L.comm + 12, true);
  return out;
}

const commBytes = new Uint8Array(TASK_COMM_LEN);
const commWords = new DataView(commBytes.buffer);
const utf8 = new TextDecoder("utf-8", { fatal: false });

/**
 * The comm text of a decoded record: up to the first NUL, invalid UTF-8
 * replaced (a task can name itself with any bytes), control characters
 * shown as '?' so they cannot drive the terminal.
 */
export function commText(r: TaskRecord): string {
  commWords.setUint32(0, r.comm0, true);
  commWords.setUint32(4, r.comm1, true);
  commWords.setUint32(8, r.comm2, true);
  commWords.setUint32(12, r.comm3, true);
  let end = commBytes.indexOf(0);
  if (end < 0) end = TASK_COMM_LEN;
  return sanitizeText(utf8.decode(commBytes.subarray(0, end)));
}

/** Replace C0/C1 control characters and DEL, which could move the cursor or recolour the screen. */
export function sanitizeText(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
}

export function readIterTrailer(v: DataView, off: number): { recordsInMap: number } {
  assertRoom(v, off, IterTrailerLayout.size, "iter_trailer");
  return { recordsInMap: v.getUint32(off + IterTrailerLayout.records_in_map, true) };
}

export interface EventRecord {
  type: number;
  tsNs: number;
  startNs: number;
  cpuNs: number;
  cgroupId: number;
  peakRssPages: number;
  pid: number;
  ppid: number;
  uid: number;
  /** Raw wait status: status << 8 | 0x80 core | signal. */
  exitCode: number;
  comm: string;
  /** exec only; "" otherwise. */
  filename: string;
}

/** NUL-terminated text of a fixed char[] field, sanitised like commText. */
function cString(v: DataView, off: number, len: number): string {
  const bytes = new Uint8Array(v.buffer, v.byteOffset + off, len);
  let end = bytes.indexOf(0);
  if (end < 0) end = len;
  return sanitizeText(utf8.decode(bytes.subarray(0, end)));
}

/** Decode one ring-buffer sample; copies everything, so the sample memory can be reused. */
export function readEventRecord(v: DataView, off = 0): EventRecord {
  assertRoom(v, off, EventRecordLayout.size, "event_record");
  const L = EventRecordLayout;
  const type = v.getUint32(off + L.type, true);
  return {
    type,
    tsNs: u64(v, off + L.ts_ns),
    startNs: u64(v, off + L.start_ns),
    cpuNs: u64(v, off + L.cpu_ns),
    cgroupId: u64(v, off + L.cgroup_id),
    peakRssPages: u64(v, off + L.peak_rss_pages),
    pid: v.getUint32(off + L.pid, true),
    ppid: v.getUint32(off + L.ppid, true),
    uid: v.getUint32(off + L.uid, true),
    exitCode: v.getUint32(off + L.exit_code, true),
    comm: cString(v, off + L.comm, TASK_COMM_LEN),
    filename: type === EventType.exec ? cString(v, off + L.filename, FILENAME_LEN) : "",
  };
}

export interface ConnRecord {
  /** The socket cookie (a kernel counter, so exact as a double). */
  cookie: number;
  bytesSent: number;
  bytesReceived: number;
  sends: number;
  recvs: number;
  wireBytesAcked: number;
  wireBytesReceived: number;
  firstSeenNs: number;
  tsNs: number;
  segsOut: number;
  segsIn: number;
  srttUs: number;
  retransmits: number;
  cwnd: number;
  resetsSent: number;
  resetsReceived: number;
  tgid: number;
  uid: number;
  state: number;
  statesSeen: number;
  flags: number;
  family: number;
  protocol: number;
  lport: number;
  rport: number;
  /**
   * Addresses (4 bytes for IPv4, 16 for IPv6) and comm are decoded only when
   * read: a refresh of 10,000 unchanged sockets never builds their text. They
   * view the record's memory, valid until the iterator's next run.
   */
  readonly laddr: Uint8Array;
  readonly raddr: Uint8Array;
  readonly comm: string;
}

/**
 * Decode a conn_record (a row of iter/tcp, iter/udp, or a close event).
 * `copy` first copies the record out of memory that is about to be reused
 * (ring-buffer samples).
 */
export function readConnRecord(src: DataView, srcOff = 0, copy = false): ConnRecord {
  assertRoom(src, srcOff, ConnRecordLayout.size, "conn_record");
  const L = ConnRecordLayout;
  const v = copy ? new DataView(src.buffer.slice(src.byteOffset + srcOff, src.byteOffset + srcOff + L.size)) : src;
  const off = copy ? 0 : srcOff;
  const family = v.getUint16(off + L.family, true);
  const addrLen = family === 10 ? 16 : 4;
  return {
    cookie: u64(v, off + L.cookie),
    bytesSent: u64(v, off + L.bytes_sent),
    bytesReceived: u64(v, off + L.bytes_received),
    sends: u64(v, off + L.sends),
    recvs: u64(v, off + L.recvs),
    wireBytesAcked: u64(v, off + L.wire_bytes_acked),
    wireBytesReceived: u64(v, off + L.wire_bytes_received),
    firstSeenNs: u64(v, off + L.first_seen_ns),
    tsNs: u64(v, off + L.ts_ns),
    segsOut: v.getUint32(off + L.segs_out, true),
    segsIn: v.getUint32(off + L.segs_in, true),
    srttUs: v.getUint32(off + L.srtt_us, true),
    retransmits: v.getUint32(off + L.retransmits, true),
    cwnd: v.getUint32(off + L.cwnd, true),
    resetsSent: v.getUint32(off + L.resets_sent, true),
    resetsReceived: v.getUint32(off + L.resets_received, true),
    tgid: v.getUint32(off + L.tgid, true),
    uid: v.getUint32(off + L.uid, true),
    state: v.getUint32(off + L.state, true),
    statesSeen: v.getUint32(off + L.states_seen, true),
    flags: v.getUint32(off + L.flags, true),
    family,
    protocol: v.getUint16(off + L.protocol, true),
    lport: v.getUint16(off + L.lport, true),
    rport: v.getUint16(off + L.rport, true),
    get laddr() {
      return new Uint8Array(v.buffer, v.byteOffset + off + L.laddr, addrLen);
    },
    get raddr() {
      return new Uint8Array(v.buffer, v.byteOffset + off + L.raddr, addrLen);
    },
    get comm() {
      return cString(v, off + L.comm, TASK_COMM_LEN);
    },
  };
}
