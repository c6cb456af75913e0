import { describe, expect, test } from "bun:test";
import { cell, markdownTable, median, parseCounts, parseCsv, parseKeyValues, toCsv } from "../../scripts/bench/table.ts";

describe("benchmark tables", () => {
  test("toCsv writes a header and quotes what needs it", () => {
    expect(toCsv(["a", "b", "c"], [{ a: 1, b: "x,y", c: undefined }, { a: 2.5, b: 'say "hi"', c: true }])).toBe(
      'a,b,c\n1,"x,y",\n2.5,"say ""hi""",true\n',
    );
  });

  test("parseCsv reads toCsv's output back, by column name", () => {
    const text = toCsv(["level", "cmd", "ms"], [{ level: "100", cmd: "ps -eo pid,args", ms: "1.5" }, { level: "20000t", cmd: 'a "b"', ms: "n/a" }]);
    expect(parseCsv(text)).toEqual([
      { level: "100", cmd: "ps -eo pid,args", ms: "1.5" },
      { level: "20000t", cmd: 'a "b"', ms: "n/a" },
    ]);
  });

  test("parseCsv: CRLF, no final newline, blank lines, short rows", () => {
    expect(parseCsv("a,b\r\n1,2\r\n\r\n3")).toEqual([{ a: "1", b: "2" }, { a: "3", b: undefined }]);
    expect(parseCsv("")).toEqual([]);
    expect(parseCsv("a,b\n")).toEqual([]);
  });

  test("markdownTable aligns numbers right and escapes pipes", () => {
    expect(markdownTable(["extra", "ms"], [["100", "1|2"]])).toBe("| extra | ms |\n| --- | --: |\n| 100 | 1\\|2 |");
    expect(markdownTable(["a", "b"], [], ["r", "l"])).toBe("| a | b |\n| --: | --- |");
  });

  test("cell groups thousands of integers only", () => {
    expect(cell("268935")).toBe("268,935");
    expect(cell("17.603")).toBe("17.603");
    expect(cell("n/a")).toBe("n/a");
    expect(cell("")).toBe("–");
    expect(cell(undefined)).toBe("–");
  });

  test("median", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow();
  });

  test("parseCounts takes commas or spaces, positive integers only", () => {
    expect(parseCounts("100,1000 10000", "--sockets")).toEqual([100, 1000, 10000]);
    expect(() => parseCounts("100,abc", "--sockets")).toThrow(/--sockets/);
    expect(() => parseCounts("0", "--sockets")).toThrow();
    expect(() => parseCounts(" ", "--sockets")).toThrow();
  });

  test("parseKeyValues splits at the first separator", () => {
    expect(parseKeyValues("run: 2026-01-01 10:00 UTC\nno separator\nhtop: htop 3.2.2\n")).toEqual([
      ["run", "2026-01-01 10:00 UTC"],
      ["htop", "htop 3.2.2"],
    ]);
  });
});
