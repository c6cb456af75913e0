import { describe, expect, test } from "bun:test";
import { constants } from "node:os";
import {
  cellWidth,
  exitReason,
  fit,
  fitEndpoint,
  formatBytes,
  formatClock,
  formatCount,
  formatCpuTime,
  formatDuration,
  formatMeterSize,
  formatMs,
  formatPercent,
  formatRate,
  formatSize,
  formatUptime,
  printable,
  signalName,
  truncate,
  truncateStart,
} from "../../src/ui/format.ts";

const K = 1024;
const M = K * K;
const G = M * K;
const SECOND_NS = 1e9;

describe("formatSize", () => {
  test("zero and below one KiB", () => {
    expect(formatSize(0)).toBe("0");
    expect(formatSize(512)).toBe("0K");
  });
  test("kibibytes up to 1023K", () => {
    expect(formatSize(1023 * K)).toBe("1023K");
    expect(formatSize(M - 1)).toBe("1023K");
  });
  test("two decimals below 10, one below 100, none above", () => {
    expect(formatSize(M)).toBe("1.00M");
    expect(formatSize(9.999 * M)).toBe("9.99M");
    expect(formatSize(10 * M)).toBe("10.0M");
    expect(formatSize(12.34 * M)).toBe("12.3M");
    expect(formatSize(99.99 * M)).toBe("99.9M");
    expect(formatSize(100 * M)).toBe("100M");
    expect(formatSize(1023.9 * M)).toBe("1023M");
    expect(formatSize(1.5 * G)).toBe("1.50G");
    expect(formatSize(3 * 1024 * G)).toBe("3.00T");
  });
  test("never wider than 5 cells", () => {
    for (let bytes = 1; bytes < 1024 ** 6; bytes *= 1.37) expect(formatSize(bytes).length).toBeLessThanOrEqual(5);
  });
});

describe("formatMeterSize", () => {
  test("one decimal below 100 of a unit", () => {
    expect(formatMeterSize(0)).toBe("0K");
    expect(formatMeterSize(1000 * K)).toBe("1000K");
    expect(formatMeterSize(1.25 * G)).toBe("1.2G");
    expect(formatMeterSize(7.7 * G)).toBe("7.7G");
    expect(formatMeterSize(512 * M)).toBe("512M");
  });
});

describe("formatCpuTime", () => {
  test("m:ss.cc under an hour", () => {
    expect(formatCpuTime(0)).toBe("0:00.00");
    expect(formatCpuTime(1.23 * SECOND_NS)).toBe("0:01.23");
    expect(formatCpuTime((59 * 60 + 59.99) * SECOND_NS)).toBe("59:59.99");
  });
  test("hours, days and years", () => {
    expect(formatCpuTime(3600 * SECOND_NS)).toBe("1h00:00");
    expect(formatCpuTime((17 * 3600 + 59 * 60 + 59) * SECOND_NS)).toBe("17h59:59");
    expect(formatCpuTime(18 * 3600 * SECOND_NS)).toBe("0d18h00");
    expect(formatCpuTime((9 * 86400 + 23 * 3600 + 59 * 60) * SECOND_NS)).toBe("9d23h59");
    expect(formatCpuTime(10 * 86400 * SECOND_NS)).toBe("10d00h");
    expect(formatCpuTime(365 * 86400 * SECOND_NS)).toBe("1y000d");
  });
  test("never wider than 8 cells", () => {
    for (let ns = 1; ns < 1e25; ns *= 3.1) expect(formatCpuTime(ns).length).toBeLessThanOrEqual(8);
  });
});

describe("formatPercent", () => {
  test("one decimal, dropped from 1000 on", () => {
    expect(formatPercent(0)).toBe("0.0");
    expect(formatPercent(23.44)).toBe("23.4");
    expect(formatPercent(999.9)).toBe("999.9");
    expect(formatPercent(999.96)).toBe("1000");
    expect(formatPercent(1600)).toBe("1600");
  });
  test("invalid values", () => {
    expect(formatPercent(Number.NaN)).toBe("N/A");
    expect(formatPercent(-1)).toBe("N/A");
  });
});

describe("formatUptime", () => {
  test("with and without days", () => {
    expect(formatUptime(4 * 3600 + 5 * 60 + 6)).toBe("04:05:06");
    expect(formatUptime(86400 + 59)).toBe("1 day, 00:00:59");
    expect(formatUptime(3 * 86400 + 4 * 3600 + 5 * 60 + 6)).toBe("3 days, 04:05:06");
  });
});

test("formatMs", () => {
  expect(formatMs(2.14)).toBe("2.1 ms");
  expect(formatMs(99.94)).toBe("99.9 ms");
  expect(formatMs(250.4)).toBe("250 ms");
});

describe("text fitting", () => {
  test("truncate and pad to a cell width", () => {
    expect(fit("PID", 7, "right")).toBe("    PID");
    expect(fit("USER", 6, "left")).toBe("USER  ");
    expect(fit("verylongname", 4, "left")).toBe("very");
    expect(truncate("abc", 0)).toBe("");
  });
  test("wide characters count two cells and are never split", () => {
    expect(cellWidth("日本")).toBe(4);
    expect(truncate("日本語", 5)).toBe("日本");
    expect(fit("日本", 5, "left")).toBe("日本 ");
  });
  test("control characters are made visible", () => {
    expect(printable("a\nb\x1b[31mc")).toBe("a?b?[31mc");
  });
  test("truncateStart keeps the end of a path, marking the cut", () => {
    expect(truncateStart("/system.slice/ssh.service", 25)).toBe("/system.slice/ssh.service");
    expect(truncateStart("/system.slice/ssh.service", 12)).toBe("…ssh.service");
    expect(truncateStart("/a/日本語", 6)).toBe("…本語");
    expect(truncateStart("/a/日本語", 4)).toBe("…語");
    expect(truncateStart("/system.slice", 1)).toBe("…");
    expect(truncateStart("/system.slice", 0)).toBe("");
  });
});

describe("events", () => {
  test("formatClock: local time with milliseconds", () => {
    expect(formatClock(new Date(2025, 0, 2, 14, 3, 27, 42).getTime())).toBe("14:03:27.042");
    expect(formatClock(new Date(2025, 0, 2, 0, 0, 0, 0).getTime())).toBe("00:00:00.000");
  });

  test("formatDuration: ms, s.cc, m ss, h mm, d hh; truncated at each boundary", () => {
    expect(formatDuration(0)).toBe("0ms");
    expect(formatDuration(12.9)).toBe("12ms");
    expect(formatDuration(999)).toBe("999ms");
    expect(formatDuration(1000)).toBe("1.00s");
    expect(formatDuration(1500)).toBe("1.50s");
    expect(formatDuration(59_999)).toBe("59.99s");
    expect(formatDuration(60_000)).toBe("1m00s");
    expect(formatDuration(185_000)).toBe("3m05s");
    expect(formatDuration(3_599_999)).toBe("59m59s");
    expect(formatDuration(7_440_000)).toBe("2h04m");
    expect(formatDuration(86_400_000 - 1)).toBe("23h59m");
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe("3d04h");
    expect(formatDuration(-5)).toBe("0ms");
  });

  test("formatRate: one decimal below 100", () => {
    expect(formatRate(0)).toBe("0.0");
    expect(formatRate(12.34)).toBe("12.3");
    expect(formatRate(99.96)).toBe("100");
    expect(formatRate(1234.5)).toBe("1235");
  });

  test("signal names agree with the platform's numbering", () => {
    for (let signal = 1; signal <= 31; signal++) {
      const name = signalName(signal);
      expect(constants.signals[name as NodeJS.Signals]).toBe(signal);
    }
    expect(signalName(40)).toBe("SIG40");
  });

  test("exitReason: the code, or the signal and whether it dumped core", () => {
    expect(exitReason({ code: 0, coreDumped: false, timeMs: 0 })).toBe("0");
    expect(exitReason({ code: 3, coreDumped: false, timeMs: 0 })).toBe("3");
    expect(exitReason({ signal: 9, coreDumped: false, timeMs: 0 })).toBe("SIGKILL");
    expect(exitReason({ signal: 11, coreDumped: true, timeMs: 0 })).toBe("SIGSEGV (core)");
  });
});

describe("network", () => {
  test("formatBytes: bytes below one KiB, then like formatSize", () => {
    expect(formatBytes(0)).toBe("0");
    expect(formatBytes(0.4)).toBe("0");
    expect(formatBytes(1)).toBe("1B");
    expect(formatBytes(1023.9)).toBe("1023B");
    expect(formatBytes(1024)).toBe("1K");
    expect(formatBytes(1.5 * M)).toBe("1.50M");
    expect(formatBytes(1023.9 * G)).toBe("1023G");
  });

  test("formatCount: exact below ten million, then whole M or G", () => {
    expect(formatCount(0)).toBe("0");
    expect(formatCount(9_999_999)).toBe("9999999");
    expect(formatCount(10_000_000)).toBe("10M");
    expect(formatCount(9_999_999_999)).toBe("9999M");
    expect(formatCount(12_345_678_901)).toBe("12G");
  });

  test("fitEndpoint: a long address is cut in the middle, the port stays", () => {
    expect(fitEndpoint("10.0.0.1:443", 21)).toBe("10.0.0.1:443");
    expect(fitEndpoint("255.255.255.255:65535", 21)).toBe("255.255.255.255:65535");
    expect(fitEndpoint("255.255.255.255:65535", 12)).toBe("255.2…:65535");
    expect(fitEndpoint("[2001:db8:85a3::8a2e:370:7334]:443", 21)).toBe("[2001:db8:85a3:…]:443");
    expect(fitEndpoint("[2001:db8:85a3::8a2e:370:7334]:443", 21)).toHaveLength(21);
    expect(fitEndpoint("[::1]:443", 21)).toBe("[::1]:443");
  });
});
