/**
 * CSV and markdown helpers for the benchmark scripts (net.ts, events.ts,
 * report.ts). Pure functions; tested in test/unit/bench-table.test.ts.
 */

export type Cell = string | number | boolean | null | undefined;
/** One CSV row, by column name; a column the file lacks reads as undefined. */
export type Row = Record<string, string | undefined>;

/** RFC 4180 text: a header line, then one line per row, "\n"-terminated. */
export function toCsv(columns: readonly string[], rows: readonly Record<string, Cell>[]): string {
  const field = (v: Cell) => {
    const s = v === null || v === undefined ? "" : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [columns.map(field).join(","), ...rows.map((r) => columns.map((c) => field(r[c])).join(","))].map((l) => `${l}\n`).join("");
}

/** Parses CSV text with a header line (quoted fields allowed) into rows keyed by column name. */
export function parseCsv(text: string): Row[] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  const endField = () => {
    record.push(field);
    field = "";
  };
  const endRecord = () => {
    endField();
    // A blank line (one empty field) is no record.
    if (record.length > 1 || record[0] !== "") records.push(record);
    record = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") endField();
    else if (c === "\n") endRecord();
    else if (c !== "\r") field += c;
    i++;
  }
  if (field !== "" || record.length > 0) endRecord();
  const [header, ...body] = records;
  if (!header) return [];
  return body.map((cells) => Object.fromEntries(header.map((name, k) => [name, cells[k]])));
}

/**
 * A markdown table. `align` per column: "l" (default for the first column) or
 * "r" (default for the others, which hold numbers).
 */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly ("l" | "r")[]): string {
  const escape = (s: string) => s.replaceAll("|", "\\|");
  const rule = header.map((_, k) => ((align?.[k] ?? (k === 0 ? "l" : "r")) === "r" ? "--:" : "---"));
  return [header, rule, ...rows].map((cells) => `| ${cells.map(escape).join(" | ")} |`).join("\n");
}

/**
 * A CSV cell for a markdown table: "–" when absent or empty, integers with
 * thousands separators, other text (decimals, "n/a") as written.
 */
export function cell(value: string | undefined): string {
  if (value === undefined || value.trim() === "") return "–";
  const v = value.trim();
  return /^-?\d+$/.test(v) ? Number(v).toLocaleString("en-US") : v;
}

/** Median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of nothing");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A comma- or space-separated list of positive integers ("100,1000 10000"); throws on anything else. */
export function parseCounts(text: string, what: string): number[] {
  const parts = text.split(/[\s,]+/).filter((p) => p !== "");
  const counts = parts.map(Number);
  if (counts.length === 0 || counts.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new Error(`${what}: want positive integers separated by commas or spaces, not ${JSON.stringify(text)}`);
  }
  return counts;
}

/** "key: value" lines (machine.txt) as ordered pairs; other lines are skipped. */
export function parseKeyValues(text: string, separator = ":"): [string, string][] {
  const pairs: [string, string][] = [];
  for (const line of text.split("\n")) {
    const at = line.indexOf(separator);
    if (at <= 0) continue;
    pairs.push([line.slice(0, at).trim(), line.slice(at + separator.length).trim()]);
  }
  return pairs;
}
