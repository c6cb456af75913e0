/**
 * bpftop's own BPF object: the embedded bpftop.bpf.o opened, sized, loaded
 * and attached, with its readers. The one place that knows which programs and
 * maps exist; collectors get typed readers from here.
 */
import objectPath from "../../bpf/bpftop.bpf.o" with { type: "file" };
import { existsSync } from "node:fs";
import { missingBpfCapabilities, missingCapabilityMessage } from "./capabilities.ts";
import { IterReader, MappedArray } from "./iter.ts";
import { BpfObject, type LoadedProgram } from "./object.ts";
import {
  ConnRecordLayout,
  DropSlot,
  EventRecordLayout,
  MAPS,
  PROGRAMS,
  readConnRecord,
  readEventRecord,
  TaskRecordLayout,
  type ConnRecord,
  type EventRecord,
} from "./records.ts";
import { RingBufferReader } from "./ringbuf.ts";
import { RunStats } from "./stats.ts";

export interface BpftopBpf {
  obj: BpfObject;
  /** Runs iter/task; its records land in `taskRecords`, overflow in the returned stream. */
  taskIter?: IterReader;
  taskRecords?: MappedArray;
  /** exec/exit (and fork) events; absent when `eventsUnavailable` says why. */
  events?: RingBufferReader<EventRecord>;
  /** Records the kernel could not queue, read from the mmapped event_drops map. */
  eventDrops(): number;
  eventsUnavailable?: string;
  /** iter/tcp and iter/udp; their rows land in `connRecords`. */
  tcpIter?: IterReader;
  udpIter?: IterReader;
  connRecords?: MappedArray;
  /** Walks every open file once, claiming unowned sockets for the processes holding them. */
  socketOwnerScan?: IterReader;
  /** TCP connections as they close, with final counters. */
  connEvents?: RingBufferReader<ConnRecord>;
  connDrops(): number;
  /** bench only: system calls made by the main (refreshing) thread since the counter was opened. */
  ownSyscalls?: () => number;
  /** Why per-socket byte counts and owners from sock_send_length/sock_recv_length are off (kernel < 6.3). */
  socketIoUnavailable?: string;
  /** The loaded programs, for their run statistics. */
  programs: LoadedProgram[];
  /** Turns the kernel's run statistics on (until closed), or says why it cannot. */
  enableRunStats(): RunStats | string;
  close(): void;
}

export class SetupError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "SetupError";
  }
}

export interface OpenOptions {
  /** Load the task iterator, sized for this many tasks (tasks beyond it still arrive, streamed); false: no iterator. */
  tasks: { expectedTasks: number } | false;
  /** Load the exec/exit programs and their ring buffer; `fork` adds fork events. */
  events: { fork: boolean; ringBytes: number } | false;
  /** Load the network programs: socket iterators, TCP lifecycle, and (socketIo) per-socket byte counts. */
  net?: { expectedSockets: number; socketIo: boolean } | false;
  /** Count this process's own system calls (raw_tp/sys_enter), for `bpftop bench`. */
  countSyscalls?: boolean;
}

/**
 * Ring buffer size: 8 MiB holds ~24,000 336-byte records, over a second of
 * the fastest fork/exec loop this 2-core machine runs, between two drains
 * (every 100 ms): drops need a burst 10× that. See the README's numbers.
 */
export const DEFAULT_RING_BYTES = 8 << 20;

/** Check privileges and BTF, then open, load and attach. Unwinds on failure. */
export async function openBpftop(options: OpenOptions): Promise<BpftopBpf> {
  const missing = missingBpfCapabilities();
  if (missing.length) throw new SetupError(missingCapabilityMessage(missing));
  if (!existsSync("/sys/kernel/btf/vmlinux")) {
    throw new SetupError(
      "this kernel exposes no BTF (/sys/kernel/btf/vmlinux is missing); bpftop needs a kernel built with CONFIG_DEBUG_INFO_BTF=y (5.15 or newer)",
    );
  }
  const bytes = new Uint8Array(await Bun.file(objectPath).arrayBuffer());
  // Optional features are dropped one at a time, each with the reason kept,
  // until the object loads: the rest keeps working (degrade, never die).
  let opts = options;
  const notes: { socketIo?: string; events?: string } = {};
  for (;;) {
    try {
      const bpf = await load(bytes, opts);
      if (notes.events) bpf.eventsUnavailable = `process events unavailable: ${notes.events}`;
      if (notes.socketIo) bpf.socketIoUnavailable = `per-socket bytes and owners unavailable (needs Linux 6.3+): ${notes.socketIo}`;
      else if (options.net && !options.net.socketIo) bpf.socketIoUnavailable = "per-socket bytes and owners turned off: TCP counters only";
      return bpf;
    } catch (e) {
      const why = (e as Error).message;
      if (opts.net && opts.net.socketIo) {
        notes.socketIo = why;
        opts = { ...opts, net: { ...opts.net, socketIo: false } };
      } else if (opts.events) {
        notes.events = why;
        opts = { ...opts, events: false };
      } else {
        throw e;
      }
    }
  }
}

async function load(bytes: Uint8Array, options: OpenOptions): Promise<BpftopBpf> {
  const obj = await BpfObject.open(bytes, "bpftop");
  const owned: { close(): void }[] = [];
  try {
    const wantEvents = options.events !== false;
    obj.setAutoload(PROGRAMS.taskIterator, options.tasks !== false);
    obj.setAutoload(PROGRAMS.exec, wantEvents);
    obj.setAutoload(PROGRAMS.exit, wantEvents);
    obj.setAutoload(PROGRAMS.fork, options.events !== false && options.events.fork);
    const net = options.net || undefined;
    const netPrograms = [PROGRAMS.tcpState, PROGRAMS.tcpSendReset, PROGRAMS.tcpReceiveReset, PROGRAMS.tcpIterator, PROGRAMS.udpIterator, PROGRAMS.socketOwners];
    for (const p of netPrograms) obj.setAutoload(p, !!net);
    obj.setAutoload(PROGRAMS.sockSend, !!net?.socketIo);
    obj.setAutoload(PROGRAMS.sockRecv, !!net?.socketIo);
    obj.setAutoload(PROGRAMS.syscallCounter, !!options.countSyscalls);
    if (options.tasks) obj.setMaxEntries(MAPS.taskRecords, taskArrayCapacity(options.tasks.expectedTasks));
    if (options.events) obj.setMaxEntries(MAPS.events, options.events.ringBytes);
    if (net) obj.setMaxEntries(MAPS.connRecords, taskArrayCapacity(net.expectedSockets));
    obj.load();

    let drops: MappedArray | undefined;
    const dropSlot = (slot: number) => () => (drops ? Number(drops.view.getBigUint64(slot * 8, true)) : 0);
    const bpf: BpftopBpf = {
      obj,
      eventDrops: dropSlot(DropSlot.processEvents),
      connDrops: dropSlot(DropSlot.connEvents),
      programs: [],
      enableRunStats: () => RunStats.enable(obj.fn),
      close: () => closeAll(owned, obj),
    };
    if (options.events || net) drops = track(owned, new MappedArray(obj.mapFd(MAPS.eventDrops), 2, 8));
    if (options.tasks) {
      bpf.taskIter = new IterReader(obj, obj.attachIter(PROGRAMS.taskIterator));
      bpf.taskRecords = track(owned, new MappedArray(obj.mapFd(MAPS.taskRecords), obj.maxEntries(MAPS.taskRecords), TaskRecordLayout.size));
    }
    if (options.events) {
      bpf.events = track(owned, new RingBufferReader(obj.fn, obj.mapFd(MAPS.events), (v) => readEventRecord(v), EventRecordLayout.size, obj.maxEntries(MAPS.events)));
      obj.attach(PROGRAMS.exec);
      obj.attach(PROGRAMS.exit);
      if (options.events.fork) obj.attach(PROGRAMS.fork);
    }
    if (net) {
      bpf.tcpIter = new IterReader(obj, obj.attachIter(PROGRAMS.tcpIterator));
      bpf.udpIter = new IterReader(obj, obj.attachIter(PROGRAMS.udpIterator));
      bpf.socketOwnerScan = new IterReader(obj, obj.attachIter(PROGRAMS.socketOwners));
      bpf.connRecords = track(owned, new MappedArray(obj.mapFd(MAPS.connRecords), obj.maxEntries(MAPS.connRecords), ConnRecordLayout.size));
      bpf.connEvents = track(owned, new RingBufferReader(obj.fn, obj.mapFd(MAPS.connEvents), (v) => readConnRecord(v, 0, true), ConnRecordLayout.size, obj.maxEntries(MAPS.connEvents)));
      for (const p of [PROGRAMS.tcpState, PROGRAMS.tcpSendReset, PROGRAMS.tcpReceiveReset]) obj.attach(p);
      if (net.socketIo) {
        obj.attach(PROGRAMS.sockSend);
        obj.attach(PROGRAMS.sockRecv);
      }
    }
    if (options.countSyscalls) {
      const counter = track(owned, new MappedArray(obj.mapFd(MAPS.syscallCounter), 2, 8, true));
      // The main JS thread's id is the process id.
      counter.view.setBigUint64(0, BigInt(process.pid), true);
      obj.attach(PROGRAMS.syscallCounter);
      bpf.ownSyscalls = () => Number(counter.view.getBigUint64(8, true));
    }
    bpf.programs = obj.loadedPrograms();
    return bpf;
  } catch (e) {
    closeAll(owned, obj);
    throw e;
  }
}

function track<T extends { close(): void }>(owned: { close(): void }[], x: T): T {
  owned.push(x);
  return x;
}

/** Readers first (they hold map memory), then links and the object. */
function closeAll(owned: { close(): void }[], obj: BpfObject): void {
  for (const x of owned.reverse()) x.close();
  owned.length = 0;
  obj.close();
}

/** Room for twice today's tasks, a power of two between 8 Ki and 256 Ki records (112 B each). */
export function taskArrayCapacity(expectedTasks: number): number {
  let n = 8192;
  while (n < expectedTasks * 2 && n < 262144) n *= 2;
  return n;
}
