/** The C records and their TypeScript decoders must agree byte for byte. */
import { expect, test } from "bun:test";
import { ConnRecordLayout, EventRecordLayout, IterTrailerLayout, TaskRecordLayout } from "../../src/bpf/records.ts";
import { ProgInfoLayout } from "../../src/bpf/stats.ts";
import { compileC } from "../helpers/cc.ts";

const root = new URL("../..", import.meta.url).pathname;

test("bpftop.h offsets match records.ts, and linux/bpf.h's bpf_prog_info matches stats.ts", () => {
  const bin = compileC(`${root}test/fixtures/layout.c`, "layout", [`-I${root}bpf`]);
  const c = JSON.parse(Bun.spawnSync([bin]).stdout.toString());
  expect(c.task_record).toEqual({ ...TaskRecordLayout });
  expect(c.iter_trailer).toEqual({ ...IterTrailerLayout });
  expect(c.event_record).toEqual({ ...EventRecordLayout });
  expect(c.conn_record).toEqual({ ...ConnRecordLayout });
  expect(c.bpf_prog_info).toEqual({ ...ProgInfoLayout });
});
