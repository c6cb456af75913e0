/**
 * Every network-view column, defined once: the table header, cell text and
 * colour, sort order, sort picker and help overlay are all generated from
 * this list. Ids are stable; headers may change.
 */
import { connectionState } from "../store/query.ts";
import type { ConnectionRow } from "../store/types.ts";
import { dimWhenZero, sizeStyle } from "./columns.ts";
import { fitEndpoint, formatBytes, formatCount, printable } from "./format.ts";
import { byNumber, byText, type SortColumn } from "./sort.ts";
import { theme, type CellStyle } from "./theme.ts";

export type NetworkColumnId =
  | "proto"
  | "local"
  | "remote"
  | "state"
  | "pid"
  | "comm"
  | "sent"
  | "received"
  | "packetsSent"
  | "packetsReceived"
  | "sendRate"
  | "receiveRate"
  | "rtt"
  | "retransmits";

/** A network-view column. Ties sort by total rate, then total bytes. */
export interface NetworkColumn extends SortColumn<ConnectionRow> {
  id: NetworkColumnId;
}

/** Cells of an endpoint column: the longest IPv4 endpoint (`255.255.255.255:65535`); REMOTE takes any room left. */
const ENDPOINT_WIDTH = 21;

/** Bytes from TCP's own counters (the socket predates bpftop, or the kernel is older than 6.3) are marked `~`. */
const byteCount = (bytes: number, approximate: boolean): string =>
  `${approximate ? "~" : ""}${formatBytes(bytes)}`;

/** Address, then port: an address's text order groups a host's sockets together. */
const byEndpoint = (address: (row: ConnectionRow) => string, port: (row: ConnectionRow) => number) => {
  const byAddress = byText(address);
  return (a: ConnectionRow, b: ConnectionRow): number => byAddress(a, b) || port(a) - port(b);
};

function stateStyle(row: ConnectionRow): CellStyle | undefined {
  return row.state === "ESTABLISHED" || row.state === "CONNECTED" ? { fg: theme.connectionOpen } : undefined;
}

export const NETWORK_COLUMNS: readonly NetworkColumn[] = [
  {
    id: "proto",
    header: "PROTO",
    width: 5,
    align: "left",
    format: (row) => (row.family === 6 ? `${row.proto}6` : row.proto),
    compare: byText((row) => `${row.proto}${row.family}`),
    defaultDesc: false,
    help: "tcp or udp; tcp6 and udp6 for IPv6 sockets",
  },
  {
    id: "local",
    header: "LOCAL",
    width: ENDPOINT_WIDTH,
    align: "left",
    format: (row, cells = ENDPOINT_WIDTH) => fitEndpoint(row.local, cells),
    compare: byEndpoint((row) => row.localAddr, (row) => row.localPort),
    defaultDesc: false,
    help: "Local address and port; a long IPv6 address is cut in the middle, keeping the port",
  },
  {
    id: "remote",
    header: "REMOTE",
    width: ENDPOINT_WIDTH,
    align: "left",
    grow: true,
    format: (row, cells = ENDPOINT_WIDTH) => fitEndpoint(row.remote, cells),
    compare: byEndpoint((row) => row.remoteAddr, (row) => row.remotePort),
    defaultDesc: false,
    help: "Remote address and port; *:* for a listener or an unconnected UDP socket",
  },
  {
    id: "state",
    header: "STATE",
    width: 11,
    align: "left",
    format: connectionState,
    compare: byText(connectionState),
    defaultDesc: false,
    help: "TCP state; CONNECTED or UNCONN for UDP; CLOSED (dimmed) for a few refreshes after closing",
    style: stateStyle,
  },
  {
    id: "pid",
    header: "PID",
    width: 7,
    align: "right",
    format: (row) => (row.pid === 0 ? "-" : String(row.pid)),
    compare: byNumber((row) => row.pid),
    defaultDesc: false,
    help: "Owning process; - until bpftop sees it connect, listen or do I/O",
  },
  {
    id: "comm",
    header: "COMM",
    width: 15,
    align: "left",
    format: (row) => printable(row.comm) || "-",
    compare: byText((row) => row.comm),
    defaultDesc: false,
    help: "Owning process's task name",
  },
  {
    id: "sent",
    header: "SENT",
    width: 6,
    align: "right",
    format: (row) => byteCount(row.bytesSent, row.approximate),
    compare: byNumber((row) => row.bytesSent),
    defaultDesc: true,
    help: "Bytes sent; ~ when counted by TCP (socket older than bpftop, or kernel before 6.3)",
    style: (row) => sizeStyle(row.bytesSent),
  },
  {
    id: "received",
    header: "RECV",
    width: 6,
    align: "right",
    format: (row) => byteCount(row.bytesReceived, row.approximate),
    compare: byNumber((row) => row.bytesReceived),
    defaultDesc: true,
    help: "Bytes received; ~ as for SENT",
    style: (row) => sizeStyle(row.bytesReceived),
  },
  {
    id: "packetsSent",
    header: "PKTS OUT",
    width: 8,
    align: "right",
    format: (row) => formatCount(row.packetsSent),
    compare: byNumber((row) => row.packetsSent),
    defaultDesc: true,
    help: "TCP segments sent, or UDP datagrams",
    style: (row) => dimWhenZero(row.packetsSent),
  },
  {
    id: "packetsReceived",
    header: "PKTS IN",
    width: 7,
    align: "right",
    format: (row) => formatCount(row.packetsReceived),
    compare: byNumber((row) => row.packetsReceived),
    defaultDesc: true,
    help: "TCP segments received, or UDP datagrams",
    style: (row) => dimWhenZero(row.packetsReceived),
  },
  {
    id: "sendRate",
    header: "TX/s",
    width: 6,
    align: "right",
    format: (row) => formatBytes(row.sendRate),
    compare: byNumber((row) => row.sendRate),
    defaultDesc: true,
    help: "Bytes per second sent since the last refresh",
    style: (row) => dimWhenZero(row.sendRate),
  },
  {
    id: "receiveRate",
    header: "RX/s",
    width: 6,
    align: "right",
    format: (row) => formatBytes(row.receiveRate),
    compare: byNumber((row) => row.receiveRate),
    defaultDesc: true,
    help: "Bytes per second received since the last refresh",
    style: (row) => dimWhenZero(row.receiveRate),
  },
  {
    id: "rtt",
    header: "RTT",
    width: 6,
    align: "right",
    format: (row) => (row.rttUs === 0 ? "-" : (row.rttUs / 1000).toFixed(1)),
    compare: byNumber((row) => row.rttUs),
    defaultDesc: true,
    help: "TCP's smoothed round-trip time, ms; - when unknown (UDP, listeners)",
  },
  {
    id: "retransmits",
    header: "RETRANS",
    width: 7,
    align: "right",
    format: (row) => formatCount(row.retransmits),
    compare: byNumber((row) => row.retransmits),
    defaultDesc: true,
    help: "TCP segments sent again: loss or congestion on the path",
    style: (row) => (row.retransmits > 0 ? { fg: theme.retransmits } : { fg: theme.shadow }),
  },
];
