/** NetCollector's open-files walk: when it runs, and that it stops re-running for sockets it cannot claim. */
import { expect, test } from "bun:test";
import { ConnFlags, ConnRecordLayout as L, IterTrailerLayout } from "../../src/bpf/records.ts";
import { NetCollector } from "../../src/collect/net.ts";

interface FakeSocket {
  cookie: number;
  owner?: number;
  state?: number;
}

/** Stream-only iterator output (no mmapped rows): records, then the trailer. */
function iterOutput(sockets: FakeSocket[]): DataView {
  const v = new DataView(new ArrayBuffer(sockets.length * L.size + IterTrailerLayout.size));
  sockets.forEach((s, i) => {
    const o = i * L.size;
    v.setUint32(o + L.cookie, s.cookie, true);
    v.setUint32(o + L.state, s.state ?? 1, true);
    v.setUint32(o + L.tgid, s.owner ?? 0, true);
    v.setUint32(o + L.flags, s.owner ? ConnFlags.ownerKnown : 0, true);
    v.setUint16(o + L.family, 2, true);
    v.setUint16(o + L.protocol, 6, true);
  });
  return v;
}

/** A kernel with `sockets`; the owner walk gives an owner to the cookies in `claimable`. */
function fakeKernel(sockets: FakeSocket[], claimable: Map<number, number>) {
  let walks = 0;
  const bpf = {
    tcpIter: { run: () => iterOutput(sockets) },
    udpIter: { run: () => iterOutput([]) },
    connRecords: { view: new DataView(new ArrayBuffer(8)), entries: 0 },
    socketOwnerScan: {
      run() {
        walks++;
        for (const s of sockets) if (!s.owner && claimable.has(s.cookie)) s.owner = claimable.get(s.cookie);
        return new DataView(new ArrayBuffer(0));
      },
    },
    connDrops: () => 0,
  };
  return { bpf, walks: () => walks };
}

test("the open-files walk claims owners once, and does not repeat for sockets no task holds", () => {
  let now = 1_000_000;
  const sockets: FakeSocket[] = [{ cookie: 1, owner: 100 }, { cookie: 2 }, { cookie: 3 }];
  const kernel = fakeKernel(sockets, new Map([[2, 200]])); // 3: held by a task the iterator cannot see
  const net = new NetCollector(kernel.bpf as never, () => now);
  const owners = () => net.collect().sockets.map((s) => [s.cookie, s.tgid]);

  expect(owners()).toEqual([[1, 100], [2, 200], [3, 0]]);
  expect(kernel.walks()).toBe(1);
  // Socket 3 stays unowned; a later walk would find nothing new, so none runs.
  for (let i = 0; i < 5; i++) {
    now += 60_000;
    owners();
  }
  expect(kernel.walks()).toBe(1);

  // A new unowned socket: one more walk, but not sooner than 10 s after the last.
  sockets.push({ cookie: 4 });
  owners();
  expect(kernel.walks()).toBe(2);
  sockets.push({ cookie: 5 });
  now += 5_000;
  owners();
  expect(kernel.walks()).toBe(2);
  now += 5_000;
  owners();
  expect(kernel.walks()).toBe(3);
});
