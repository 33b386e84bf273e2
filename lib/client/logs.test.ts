import { describe, expect, it } from "vitest";

import type { NodeEvent } from "@/lib/schemas/logs";

import { findMatches, LineBuffer, logStreamPath, mergeEvents, TextLineSplitter } from "./logs";

describe("LineBuffer", () => {
  it("keeps the last max lines and counts what dropped off the top", () => {
    const b = new LineBuffer(3);
    b.append(["a", "b"]);
    b.append(["c", "d", "e"]);
    expect(b.length).toBe(3);
    expect([b.at(0), b.at(1), b.at(2)]).toEqual(["c", "d", "e"]);
    expect(b.dropped).toBe(2);
    expect(b.text()).toBe("c\nd\ne\n");
  });

  it("stays bounded over a long stream (the dead head is compacted)", () => {
    const b = new LineBuffer(1_000);
    for (let i = 0; i < 100; i++) b.append(Array.from({ length: 500 }, (_, j) => `line ${i * 500 + j}`));
    expect(b.length).toBe(1_000);
    expect(b.at(999)).toBe("line 49999");
    expect(b.at(0)).toBe("line 49000");
    // The backing array never holds more than twice the bound.
    expect((b as unknown as { lines: string[] }).lines.length).toBeLessThanOrEqual(2_000);
  });
});

describe("findMatches", () => {
  it("finds plain text case-insensitively; regex characters are just characters", () => {
    expect(findMatches("Error: etcd ERROR", "error")).toEqual([
      [0, 5],
      [12, 17],
    ]);
    expect(findMatches("a.b axb", ".")).toEqual([[1, 2]]);
    expect(findMatches("(a+)+$", "(a+)+$")).toEqual([[0, 6]]);
    expect(findMatches("anything", "")).toEqual([]);
  });
});

describe("TextLineSplitter", () => {
  it("holds a cut line until its newline", () => {
    const s = new TextLineSplitter();
    expect(s.push("a\nb")).toEqual(["a"]);
    expect(s.push("c\n\nd")).toEqual(["bc", ""]);
    expect(s.end()).toEqual(["d"]);
  });
});

describe("logStreamPath", () => {
  it("asks the service's log with tail and follow, and the kernel log through dmesg", () => {
    expect(logStreamPath("10.5.0.2@sim 1", "etcd", { tail: 200, follow: true })).toBe("/api/nodes/10.5.0.2%40sim%201/logs/etcd?tail=200&follow=1");
    expect(logStreamPath("n@c", "kernel", { tail: 200, follow: false })).toBe("/api/nodes/n%40c/dmesg");
  });
});

describe("mergeEvents", () => {
  const ev = (id: string): NodeEvent => ({ id, at: null, actorId: "", type: "phase", summary: id, failure: false });
  it("puts new events first and skips ones a reconnect replays", () => {
    const list = mergeEvents([], [ev("a"), ev("b")]);
    expect(list.map((e) => e.id)).toEqual(["b", "a"]);
    expect(mergeEvents(list, [ev("a"), ev("b"), ev("c")]).map((e) => e.id)).toEqual(["c", "b", "a"]);
    expect(mergeEvents(list, [ev("a")])).toBe(list);
  });

  it("keeps at most max", () => {
    expect(mergeEvents([], [ev("a"), ev("b"), ev("c")], 2).map((e) => e.id)).toEqual(["c", "b"]);
  });
});
