/**
 * libbpf 1.1 over bun:ffi: the one dlopen table. Only symbols present in
 * libbpf 1.1 are declared (a newer one would make dlopen throw on Debian 12).
 * Prototypes: /usr/include/bpf/libbpf.h and bpf.h (see shared/stack-guide.md §3).
 */
import { dlopen, JSCallback, type Pointer } from "bun:ffi";
import { formatVaList } from "./libc.ts";
import { locateLibbpf, type LibbpfLocation } from "./libraries.ts";

const SYMBOLS = {
  libbpf_set_print: { args: ["function"], returns: "ptr" },
  libbpf_major_version: { args: [], returns: "u32" },
  libbpf_minor_version: { args: [], returns: "u32" },
  bpf_object__open_mem: { args: ["ptr", "u64", "ptr"], returns: "ptr" },
  bpf_object__load: { args: ["ptr"], returns: "i32" },
  bpf_object__close: { args: ["ptr"], returns: "void" },
  bpf_object__find_program_by_name: { args: ["ptr", "cstring"], returns: "ptr" },
  bpf_object__find_map_by_name: { args: ["ptr", "cstring"], returns: "ptr" },
  bpf_object__next_program: { args: ["ptr", "ptr"], returns: "ptr" },
  bpf_program__name: { args: ["ptr"], returns: "cstring" },
  bpf_program__section_name: { args: ["ptr"], returns: "cstring" },
  bpf_program__set_autoload: { args: ["ptr", "bool"], returns: "i32" },
  bpf_program__autoload: { args: ["ptr"], returns: "bool" },
  bpf_program__fd: { args: ["ptr"], returns: "i32" },
  bpf_program__attach: { args: ["ptr"], returns: "ptr" },
  bpf_program__attach_iter: { args: ["ptr", "ptr"], returns: "ptr" },
  bpf_link__fd: { args: ["ptr"], returns: "i32" },
  bpf_link__destroy: { args: ["ptr"], returns: "i32" },
  bpf_map__fd: { args: ["ptr"], returns: "i32" },
  bpf_map__set_max_entries: { args: ["ptr", "u32"], returns: "i32" },
  bpf_map__max_entries: { args: ["ptr"], returns: "u32" },
  bpf_map__value_size: { args: ["ptr"], returns: "u32" },
  bpf_iter_create: { args: ["i32"], returns: "i32" },
  bpf_map_lookup_elem: { args: ["i32", "ptr", "ptr"], returns: "i32" },
  bpf_map_update_elem: { args: ["i32", "ptr", "ptr", "u64"], returns: "i32" },
  bpf_map_delete_elem: { args: ["i32", "ptr"], returns: "i32" },
  bpf_map_get_next_key: { args: ["i32", "ptr", "ptr"], returns: "i32" },
  bpf_enable_stats: { args: ["i32"], returns: "i32" },
  bpf_obj_get_info_by_fd: { args: ["i32", "ptr", "ptr"], returns: "i32" },
  ring_buffer__new: { args: ["i32", "function", "ptr", "ptr"], returns: "ptr" },
  ring_buffer__consume: { args: ["ptr"], returns: "i32" },
  ring_buffer__free: { args: ["ptr"], returns: "void" },
} as const;

export type Libbpf = ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"];

export interface LibbpfHandle {
  fn: Libbpf;
  location: LibbpfLocation;
  version: string;
}

/** libbpf's print levels (enum libbpf_print_level). */
export type LogLevel = "warn" | "info" | "debug";
const LEVELS: LogLevel[] = ["warn", "info", "debug"];

/**
 * Every libbpf log line, kept in memory: libbpf's default printer writes to
 * fd 2 and would corrupt the TUI. Errors quote the tail of it, `doctor` and
 * `--verbose` show it.
 */
export const libbpfLog: { level: LogLevel; text: string }[] = [];
const LOG_LIMIT = 2000;

let handle: LibbpfHandle | undefined;
// Module-level so it lives as long as libbpf may call it (the printer is process-global).
let printer: JSCallback | undefined;

export async function libbpf(): Promise<LibbpfHandle> {
  if (handle) return handle;
  const location = await locateLibbpf();
  const { symbols: fn } = dlopen(location.path, SYMBOLS);
  const scratch = new Uint8Array(4096);
  printer = new JSCallback(
    (level: number, fmt: Pointer, ap: Pointer): number => {
      // A throw here would leave C with 0 and rethrow later: never throw.
      try {
        const text = formatVaList(fmt, ap, scratch).replace(/\n$/, "");
        if (libbpfLog.length >= LOG_LIMIT) libbpfLog.splice(0, LOG_LIMIT / 2);
        libbpfLog.push({ level: LEVELS[level] ?? "debug", text });
      } catch {
        /* a log line is not worth a crash */
      }
      return 0;
    },
    { args: ["i32", "ptr", "ptr"], returns: "i32" },
  );
  // Must precede every other libbpf call.
  fn.libbpf_set_print(printer.ptr);
  handle = { fn, location, version: `${fn.libbpf_major_version()}.${fn.libbpf_minor_version()}` };
  return handle;
}
