import { afterEach, expect, test } from "bun:test";
import type { ConnectionRow, ProcessRow } from "../../src/store/types.ts";
import type { TopOptions } from "../../src/ui/source.ts";
import { theme } from "../../src/ui/theme.ts";
import { makeConnection, mount, sampleConnections, sampleRows, type Mounted } from "./fixtures.ts";

let m: Mounted | undefined;
afterEach(() => {
  m?.renderer.destroy();
  m = undefined;
});

/** Wide enough for every network column. */
const WIDE = { width: 160, height: 30 };
const NETWORK_HEADER =
  /^PROTO LOCAL +REMOTE +STATE +PID COMM +SENT +RECV PKTS OUT PKTS IN +TX\/s +RX\/s +RTT RETRANS$/;
/**
 * sampleConnections() in the default order: total rate, then total bytes,
 * largest first (firefox, curl, systemd; then bash 99K, unknown 15K, sshd).
 */
const BY_RATE = ["101", "102", "104", "105", "106", "103"];

function mountNetwork(options: Partial<TopOptions> = {}, connections: ConnectionRow[] = sampleConnections()) {
  return mount(sampleRows(), { view: "network", ...options }, WIDE, [], connections);
}

const shownIds = () => m!.top.visibleConnections().map((row) => row.id);

test("--view network starts there: a summary, then one line per socket, IPv4 and IPv6", async () => {
  m = await mountNetwork();
  expect(m.top.view).toBe("network");
  const lines = (await m.frame()).split("\n");
  expect(lines.some((line) => NETWORK_HEADER.test(line.trimEnd()))).toBe(true);
  const rows = await m.connectionLines();
  expect(rows).toHaveLength(6);
  expect(rows[0]).toMatch(/^tcp +10\.0\.0\.2:40000 +93\.184\.216\.34:443 +ESTABLISHED +1200 firefox /);
  expect(rows[0]).toMatch(/ firefox +2\.00M +50\.0M +1500 +36000 +20K +1\.50M +12\.3 +2$/);
  expect(rows[1]).toMatch(/^tcp6 +\[::1\]:51000 +\[::1\]:443 +ESTABLISHED +3000 curl /);
  expect(rows[1]).toMatch(/ curl +700B +300K +12 +210 +100B +50K +0\.1 +0$/);
  expect(rows[2]).toMatch(/^udp +10\.0\.0\.2:5353 +\*:\* +UNCONN +1 systemd .* 200B +- +0$/);
  // The owner is not known yet; its bytes come from TCP's own counters.
  expect(rows[4]).toMatch(/^tcp +10\.0\.0\.2:41000 +10\.0\.0\.9:5432 +ESTABLISHED +- - +~5K +~10K /);
  expect(rows[5]).toMatch(/^tcp +0\.0\.0\.0:22 +\*:\* +LISTEN +420 sshd /);
  expect(lines.at(-2)).toContain("F1Help  F3SearchF4FilterF6SortByEnterProc  F10Quit  TabView");
  expect(lines.at(-3)).toContain("6/6 connections");
  // The process list is not shown.
  expect(await m.tablePids()).toEqual([]);
});

test("the default order is total rate, then bytes, largest first", async () => {
  m = await mountNetwork();
  expect(shownIds()).toEqual(BY_RATE);
  expect(m.top.sort).toEqual({ column: undefined, desc: true });
  expect(await m.linesWith("▽")).toHaveLength(0);
});

test("a long IPv6 endpoint is cut in the middle and keeps its port", async () => {
  const v6 = makeConnection({
    id: "1",
    family: 6,
    localAddr: "2001:db8:85a3:1234:5678:8a2e:370:7334",
    localPort: 50123,
    remoteAddr: "2606:2800:220:1:248:1893:25c8:1946",
    remotePort: 443,
  });
  m = await mountNetwork({}, [v6]);
  const [line] = await m.connectionLines();
  expect(line).toStartWith("tcp6  [2001:db8:85a…]:50123 ");
  // REMOTE takes the room the other columns leave: 36 cells on this screen, not 21.
  expect(line).toContain(" [2606:2800:220:1:248:1893:25c8…]:443 ESTABLISHED");
});

test("a header click sorts by its column and again inverts; < > I and F6 sort too", async () => {
  m = await mountNetwork();
  const [header] = await m.linesWith("PROTO LOCAL");
  const y = (await m.frame()).split("\n").indexOf(header!);
  await m.mockMouse.click(header!.indexOf(" PID") + 2, y);
  expect(m.top.sort).toEqual({ column: "pid", desc: false });
  expect(m.top.visibleConnections().map((row) => row.pid)).toEqual([0, 1, 420, 1000, 1200, 3000]);
  expect(await m.linesWith("PID△")).toHaveLength(1);
  await m.mockMouse.click(header!.indexOf(" PID") + 2, y);
  expect(m.top.visibleConnections().map((row) => row.pid)).toEqual([3000, 1200, 1000, 420, 1, 0]);

  m.mockInput.pressKey("I");
  expect(m.top.sort).toEqual({ column: "pid", desc: false });
  m.mockInput.pressKey(">");
  expect(m.top.sort).toEqual({ column: "comm", desc: false });
  // Unknown owners ("") first; ties (none here) would go by rate.
  expect(m.top.visibleConnections().map((row) => row.comm)).toEqual(["", "bash", "curl", "firefox", "sshd", "systemd"]);

  m.mockInput.pressKey("F6");
  expect(await m.linesWith("RTT      TCP's smoothed round-trip time")).toHaveLength(1);
  m.mockInput.pressKey("END");
  m.mockInput.pressEnter();
  expect(m.top.sort).toEqual({ column: "retransmits", desc: true });
  // firefox retransmitted; the rest tie at 0 and keep the rate order.
  expect(shownIds()).toEqual(BY_RATE);
  m.mockInput.pressKey("<");
  expect(m.top.sort).toEqual({ column: "rtt", desc: true });
  expect(shownIds().slice(0, 2)).toEqual(["101", "102"]);
  m.mockInput.pressKey("I");
  expect(shownIds().slice(-2)).toEqual(["102", "101"]);
});

test("\\ filters by address, state, command or pid; Esc clears it", async () => {
  m = await mountNetwork();
  m.mockInput.pressKey("\\");
  await m.mockInput.typeText(":443");
  expect(shownIds()).toEqual(["101", "102", "105"]);
  m.mockInput.pressEnter();
  expect(await m.linesWith('3/6 connections  filter ":443"')).toHaveLength(1);
  m.mockInput.pressKey("F4");
  await m.escape();
  m.mockInput.pressKey("F4");
  await m.mockInput.typeText("listen");
  expect(shownIds()).toEqual(["103"]);
  await m.escape();
  m.mockInput.pressKey("F4");
  await m.mockInput.typeText("closed");
  expect(shownIds()).toEqual(["105"]);
  await m.escape();
  m.mockInput.pressKey("F4");
  await m.mockInput.typeText("3000");
  expect(await m.connectionLines()).toEqual([expect.stringContaining("curl")]);
  await m.escape();
  expect(shownIds()).toEqual(BY_RATE);
});

test("/ selects the next matching connection without filtering", async () => {
  m = await mountNetwork();
  m.mockInput.pressKey("/");
  await m.mockInput.typeText("sshd");
  expect(m.top.selectedConnection()?.id).toBe("103");
  expect(await m.highlightedLine()).toContain("0.0.0.0:22");
  m.mockInput.pressEnter();
  expect(shownIds()).toEqual(BY_RATE);
});

test("the command line's port, pid and protocol filters apply from the start", async () => {
  m = await mountNetwork({ net: { ports: [443] } });
  expect(shownIds()).toEqual(["101", "102", "105"]);
  expect(await m.linesWith("3/6 connections  ports 443")).toHaveLength(1);
  m.renderer.destroy();
  m = await mountNetwork({ net: { pids: [420, 1] } });
  expect(shownIds()).toEqual(["104", "103"]);
  expect(await m.linesWith("pids 420,1")).toHaveLength(1);
  m.renderer.destroy();
  m = await mountNetwork({ net: { proto: "udp", ports: [5353, 22] } });
  expect(shownIds()).toEqual(["104"]);
  expect(await m.linesWith("1/6 connections  udp only  ports 5353,22")).toHaveLength(1);
});

test("closed connections are dimmed with CLOSED; approximate bytes are marked ~", async () => {
  m = await mountNetwork();
  const closed = (await m.connectionLines()).find((line) => line.includes("1.1.1.1:443"))!;
  expect(closed).toMatch(/ CLOSED +1000 bash +~9K +~90K /);
  await m.renderOnce();
  const line = m.captureSpans().lines.find((l) => l.spans.some((span) => span.text.includes("1.1.1.1:443")))!;
  for (const span of line.spans.filter((s) => s.text.trim() !== "")) {
    expect(span.fg.toInts()).toEqual(theme.exited.toInts());
  }
  // A live connection (not the selected one) keeps its colours.
  const live = m.captureSpans().lines.find((l) => l.spans.some((span) => span.text.includes("[::1]:51000")))!;
  const state = live.spans.find((span) => span.text.includes("ESTABLISHED"))!;
  expect(state.fg.toInts()).toEqual(theme.connectionOpen.toInts());
});

test("the summary shows open sockets by state, total rates and the top talkers", async () => {
  m = await mountNetwork();
  expect(await m.linesWith("Connections: 5  ESTABLISHED 3  LISTEN 1  UNCONN 1")).toHaveLength(1);
  expect(
    await m.linesWith("TX: 20K/s  RX: 1.54M/s  Top: firefox(1200) 1.51M/s  curl(3000) 50K/s  systemd(1) 200B/s"),
  ).toHaveLength(1);
  // The summary covers every socket, whatever the filter.
  m.mockInput.pressKey("\\");
  await m.mockInput.typeText("sshd");
  expect(await m.linesWith("Top: firefox(1200)")).toHaveLength(1);
});

test("when the network lens is off, the view says why instead of showing nothing", async () => {
  m = await mountNetwork({}, []);
  m.source.netStats = { unavailable: "bpftop was started without the network lens" };
  m.top.refresh();
  expect(await m.linesWith("Network view unavailable: bpftop was started without the network lens")).toHaveLength(1);
  expect(await m.linesWith("0/0 connections  network unavailable")).toHaveLength(1);
  expect(await m.linesWith("Connections:")).toHaveLength(0);
});

test("a degraded lens and lost close records show in the status line, losses in red", async () => {
  m = await mountNetwork();
  expect(await m.frame()).not.toMatch(/dropped|degraded/i);
  m.source.netStats = { degraded: "kernel 6.1 < 6.3: no per-socket bytes or owners", dropped: 7 };
  m.top.refresh();
  expect(
    await m.linesWith("6/6 connections  degraded: kernel 6.1 < 6.3: no per-socket bytes or owners  DROPPED: 7 closes"),
  ).toHaveLength(1);
  expect(await m.colourOf("DROPPED: 7")).toEqual(theme.dropped.toInts());
  expect(await m.colourOf("degraded:")).toEqual(theme.warning.toInts());
});

test("Enter on a connection goes to its process; the status line says when it cannot", async () => {
  m = await mountNetwork();
  expect(m.top.selectedConnection()?.comm).toBe("firefox");
  m.mockInput.pressEnter();
  expect(m.top.view).toBe("processes");
  expect(m.top.selectedRow()?.pid).toBe(1200);
  expect(await m.highlightedLine()).toContain("/usr/lib/firefox/firefox");

  m.mockInput.pressTab();
  m.mockInput.pressArrow("down");
  expect(m.top.selectedConnection()?.pid).toBe(3000);
  m.mockInput.pressEnter();
  expect(m.top.view).toBe("network");
  expect(await m.linesWith("Process 3000 is not in the process list")).toHaveLength(1);

  m.mockInput.pressKey("END");
  m.mockInput.pressArrow("up");
  expect(m.top.selectedConnection()?.pid).toBe(0);
  m.mockInput.pressEnter();
  expect(m.top.view).toBe("network");
  expect(await m.linesWith("The connection's process is not known yet")).toHaveLength(1);
});

test("n shows the selected process's connections; Esc shows everyone's again", async () => {
  m = await mount(sampleRows(), {}, WIDE, [], sampleConnections());
  expect(m.top.selectedRow()?.pid).toBe(1200);
  m.mockInput.pressKey("n");
  expect(m.top.view).toBe("network");
  expect(shownIds()).toEqual(["101"]);
  expect(await m.linesWith("1/6 connections  process firefox(1200), Esc: all")).toHaveLength(1);
  await m.escape();
  expect(shownIds()).toEqual(BY_RATE);
  expect(await m.linesWith("Esc: all")).toHaveLength(0);
});

test("TX/s and RX/s appear in the process list once a process has traffic; N hides and shows them", async () => {
  m = await mount(sampleRows(), {}, WIDE, [], sampleConnections());
  const header = async () => (await m!.linesWith("PID USER"))[0]!;
  expect(await header()).not.toContain("TX/s");
  m.source.rows = m.source.rows.map(
    (row): ProcessRow => (row.pid === 1200 ? { ...row, netSendRate: 20 * 1024, netReceiveRate: 1.5 * 1024 ** 2 } : row),
  );
  m.top.refresh();
  expect(await header()).toMatch(/THR  TX\/s  RX\/s Command/);
  expect((await m.linesWith("firefox"))[0]).toMatch(/ 3   20K 1\.50M \/usr\/lib\/firefox\/firefox/);
  // They sort like any column; hiding the sort column goes back to CPU%.
  const y = await m.tableHeaderY();
  await m.mockMouse.click((await header()).indexOf("TX/s"), y);
  expect(m.top.sort).toEqual({ column: "netSend", desc: true });
  expect(m.top.visibleRows()[0]!.row.pid).toBe(1200);
  m.mockInput.pressKey("N");
  expect(await header()).not.toContain("TX/s");
  expect(m.top.sort).toEqual({ column: "cpu", desc: true });
  // Once hidden by hand, traffic does not bring them back.
  m.top.refresh();
  expect(await header()).not.toContain("TX/s");
  m.mockInput.pressKey("N");
  expect(await header()).toContain("TX/s  RX/s");
});

test("the help lists the network view's keys and columns", async () => {
  m = await mountNetwork();
  m.mockInput.pressKey("h");
  expect(await m.frame()).toContain("All views (Tab: processes → network → events; Shift-Tab goes back)");
  m.mockInput.pressKey("\x1b[6~"); // PgDn
  const frame = await m.frame();
  expect(frame).toMatch(/Enter +Go to the connection's process/);
  expect(frame).toMatch(/Esc +Show every process's connections again/);
});
