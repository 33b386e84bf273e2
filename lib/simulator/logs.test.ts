import crypto from "node:crypto";

import { describe, expect, it } from "vitest";

import { FakeClock } from "@/test/fake-clock";

import { dbSizes, defragmented, etcdState, parseSnapshotHeader, revisionAt, simulatedSnapshot, snapshotSize } from "./etcd-ops";
import { FollowBacklog, formatKmsg, LineRing, LOG_RING_BYTES, type LogLine, NodeLogs } from "./logs";
import type { StreamSink } from "./proxy";
import { followUntilAbort } from "./services/day2";

describe("LineRing", () => {
  it("keeps at most its capacity in bytes (text plus newline), dropping the oldest lines", () => {
    const ring = new LineRing(100);
    for (let i = 0; i < 50; i++) ring.push({ time: i, text: `line ${String(i).padStart(3, "0")}` }); // 8 bytes + \n
    expect(ring.byteSize).toBeLessThanOrEqual(100);
    expect(ring.size).toBe(11);
    expect(ring.tail(-1).at(-1)!.text).toBe("line 049");
    expect(ring.tail(-1)[0]!.text).toBe("line 039");
    expect(ring.tail(2).map((l) => l.text)).toEqual(["line 048", "line 049"]);
    expect(ring.tail(0)).toEqual([]);
  });
});

describe("formatKmsg", () => {
  it("prints Talos's Dmesg line: facility, priority padded to 7, RFC3339Nano time without trailing zeros", () => {
    const time = Date.UTC(2026, 0, 2, 3, 4, 5, 120);
    expect(formatKmsg({ facility: "kern", priority: "info", time, message: "eth0: Link is Up" })).toBe("kern:    info: [2026-01-02T03:04:05.12Z]: eth0: Link is Up");
    expect(formatKmsg({ facility: "user", priority: "warning", time: Date.UTC(2026, 0, 2, 3, 4, 5, 0), message: "x" })).toBe("user: warning: [2026-01-02T03:04:05Z]: x");
  });
});

describe("NodeLogs", () => {
  const who = { hostname: "cp-1", address: "10.0.0.1" };

  it("fills a service's ring lazily at its rate, and a flood at linesPerSecond", async () => {
    const clock = new FakeClock();
    const logs = new NodeLogs(clock, who);
    logs.boot(clock.now(), "v1.13.9");
    await clock.advance(10_000);
    const calm = logs.tail("kubelet", -1).length;
    expect(calm).toBeGreaterThanOrEqual(4); // 0.5 lines/s
    expect(calm).toBeLessThanOrEqual(6);
    logs.flood = { linesPerSecond: 2000 };
    await clock.advance(1000);
    expect(logs.tail("kubelet", -1).length - calm).toBe(2000);
    // kubelet writes JSON lines (runtime/logging/extract_test.go).
    for (const l of logs.tail("kubelet", 5)) expect(() => JSON.parse(l.text)).not.toThrow();
  });

  it("bounds each ring to Talos's 1 MiB however long the flood", async () => {
    const clock = new FakeClock();
    const logs = new NodeLogs(clock, who);
    logs.boot(clock.now(), "v1.13.9");
    logs.flood = { linesPerSecond: 4000, service: "etcd" };
    for (let i = 0; i < 5; i++) {
      await clock.advance(1000);
      logs.catchUp("etcd");
    }
    const bytes = logs.tail("etcd", -1).reduce((a, l) => a + Buffer.byteLength(l.text) + 1, 0);
    expect(bytes).toBeLessThanOrEqual(LOG_RING_BYTES);
    expect(bytes).toBeGreaterThan(LOG_RING_BYTES - 1000);
    // Only the flooded service floods.
    expect(logs.tail("apid", -1).length).toBeLessThan(10);
  });

  it("tells followers about background and event lines, and stops when unsubscribed", async () => {
    const clock = new FakeClock();
    const logs = new NodeLogs(clock, who);
    logs.boot(clock.now(), "v1.13.9");
    const seen: string[] = [];
    const stop = logs.follow("machined", (l) => seen.push(l.text));
    logs.append("machined", "[talos] apply config request: mode no_reboot");
    expect(seen).toContain("[talos] apply config request: mode no_reboot");
    await clock.advance(30_000);
    const n = seen.length;
    expect(n).toBeGreaterThan(3); // 0.2 lines/s for 30 s
    stop();
    expect(clock.pending).toBe(0);
    await clock.advance(30_000);
    expect(seen.length).toBe(n);
  });

  it("starts every boot with an empty ring and the kernel's boot messages", async () => {
    const clock = new FakeClock();
    const logs = new NodeLogs(clock, who);
    logs.boot(clock.now(), "v1.13.9");
    logs.append("machined", "before reboot");
    await clock.advance(5000);
    logs.boot(clock.now(), "v1.14.0", ["apid", "kubelet"]);
    await clock.advance(60_000);
    expect(logs.tail("machined", -1).map((l) => l.text)).not.toContain("before reboot");
    const machined = logs.tail("machined", -1);
    expect(machined[0]!.text).toBe("[talos] setting time servers to [time.cloudflare.com]");
    // In time order: the boot's lines first, then what was logged since.
    expect(machined.map((l) => l.time)).toEqual([...machined.map((l) => l.time)].sort((a, b) => a - b));
    const kernel = logs.kernelLines().map((l) => l.text);
    expect(kernel[0]).toMatch(/^kern:  notice: \[.*\]: Linux version .*talos v1\.14\.0/);
  });
});

describe("etcd snapshot bytes", () => {
  it("are a function of cluster, member and revision, recomputable from the header", () => {
    const a = simulatedSnapshot("prod", "1234567890", 100_500);
    const b = simulatedSnapshot("prod", "1234567890", 100_500);
    expect(a.equals(b)).toBe(true);
    expect(a.length).toBe(snapshotSize("prod", "1234567890", 100_500));
    expect(a.length).toBeGreaterThanOrEqual(1_048_576);
    expect(a.length).toBeLessThan(3 * 1_048_576);
    const h = parseSnapshotHeader(a)!;
    expect(h).toEqual({ cluster: "prod", memberId: "1234567890", revision: 100_500, size: a.length });
    const sha = (x: Buffer) => crypto.createHash("sha256").update(x).digest("hex");
    expect(sha(simulatedSnapshot(h.cluster, h.memberId, h.revision))).toBe(sha(a));
    expect(sha(simulatedSnapshot("prod", "1234567890", 100_501))).not.toBe(sha(a));
    expect(parseSnapshotHeader(Buffer.from("not a snapshot\n\n"))).toBeUndefined();
  });

  it("revision moves with time; defragment brings dbSize down to what is in use", () => {
    const s = etcdState({}, () => 0);
    expect(revisionAt(s, 10_000)).toBeGreaterThan(revisionAt(s, 0));
    const before = dbSizes(s, "42", 3_600_000);
    expect(before.dbSize).toBeGreaterThan(before.inUse);
    defragmented(s, "42", 3_600_000);
    expect(dbSizes(s, "42", 3_600_000)).toEqual({ dbSize: before.inUse, inUse: before.inUse });
  });
});

describe("following with flow control", () => {
  it("FollowBacklog keeps at most its capacity, dropping (and counting) the oldest lines", () => {
    const b = new FollowBacklog(1000);
    for (let i = 0; i < 500; i++) b.push(`line ${String(i).padStart(4, "0")}`); // 9 bytes + \n
    expect(b.byteSize).toBeLessThanOrEqual(1000);
    expect(b.skipped).toBe(400);
    const first = b.take(25);
    expect(first).toEqual(["line 0400", "line 0401", "line 0402"]);
    expect(b.take(1_000_000)).toHaveLength(97);
    expect(b.empty).toBe(true);
    expect(b.byteSize).toBe(0);
  });

  /** A sink whose client reads nothing after the first write (HTTP/2 window full). */
  function stuckSink() {
    const written: Buffer[] = [];
    const aborts = new Set<() => void>();
    let aborted = false;
    const sink: StreamSink<{ metadata: undefined; bytes: Buffer }> = {
      write: (m) => void written.push(m.bytes),
      get aborted() {
        return aborted;
      },
      onAbort: (fn) => {
        aborts.add(fn);
        return () => aborts.delete(fn);
      },
      writable: () => (aborted ? Promise.resolve() : new Promise<void>((r) => aborts.add(r))),
    };
    const abort = () => {
      aborted = true;
      for (const fn of aborts) fn();
    };
    return { sink, written, abort };
  }

  it("a follower whose client stopped reading holds at most one ring of lines, and ends on cancel", async () => {
    const { sink, written, abort } = stuckSink();
    let push: ((l: LogLine) => void) | undefined;
    let unsubscribed = false;
    const done = followUntilAbort(sink, (fn) => {
      push = fn;
      return () => {
        unsubscribed = true;
      };
    });
    const line = "x".repeat(99);
    push!({ time: 0, text: line });
    await new Promise((r) => setImmediate(r));
    const sentBytes = () => written.reduce((a, b) => a + b.length, 0);
    expect(sentBytes()).toBe(100);
    // 10 MiB more while the client reads nothing: nothing more is written, the backlog stays bounded.
    for (let i = 0; i < 100_000; i++) push!({ time: i, text: line });
    await new Promise((r) => setImmediate(r));
    expect(sentBytes()).toBe(100);
    abort();
    await done;
    expect(unsubscribed).toBe(true);
  });
});
