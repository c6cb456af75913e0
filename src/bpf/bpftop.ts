/**
 * bpftop's own BPF object: the embedded bpftop.bpf.o opened, sized, loaded
 * and attached, with its readers. The one place that knows which programs and
 * maps exist; collectors get typed readers from here.
 */
import objectPath from "../../bpf/bpftop.bpf.o" with { type: "file" };
import { existsSync } from "node:fs";
import { IterReader, MappedArray } from "./iter.ts";
import { BpfObject } from "./object.ts";
import { MAPS, PROGRAMS, TaskRecordLayout } from "./records.ts";
import { missingBpfCapabilities, missingCapabilityMessage } from "./capabilities.ts";

export interface BpftopBpf {
  obj: BpfObject;
  /** Runs iter/task; its records land in `taskRecords`, overflow in the returned stream. */
  taskIter: IterReader;
  taskRecords: MappedArray;
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
  /** Expected number of tasks: sizes the mmapped record array (tasks beyond it still arrive, streamed). */
  expectedTasks: number;
}

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
  const obj = await BpfObject.open(bytes, "bpftop");
  let taskRecords: MappedArray | undefined;
  try {
    obj.setMaxEntries(MAPS.taskRecords, taskArrayCapacity(options.expectedTasks));
    obj.load();
    const link = obj.attachIter(PROGRAMS.taskIterator);
    taskRecords = new MappedArray(obj.mapFd(MAPS.taskRecords), obj.maxEntries(MAPS.taskRecords), TaskRecordLayout.size);
    const records = taskRecords;
    return {
      obj,
      taskIter: new IterReader(obj, link),
      taskRecords: records,
      close() {
        records.close();
        obj.close();
      },
    };
  } catch (e) {
    taskRecords?.close();
    obj.close();
    throw e;
  }
}

/** Room for twice today's tasks, a power of two between 8 Ki and 256 Ki records (112 B each). */
export function taskArrayCapacity(expectedTasks: number): number {
  let n = 8192;
  while (n < expectedTasks * 2 && n < 262144) n *= 2;
  return n;
}
