import { describe, expect, it, vi } from "vitest";

import type { Actor } from "@/lib/server/auth/actor";
import { AppError } from "@/lib/server/platform/errors";
import type { TalosEvent } from "@/lib/server/talos";
import { NO_ANSWER_MESSAGE } from "@/lib/server/talos/errors";
import { testDb } from "@/test/db";

import { openNodeEventStream, summarizeEvent, xidTime } from "./events";
import type { LogsServiceDeps, LogsTalos } from "./service";
import { openStreamsOf } from "./session";

describe("xidTime", () => {
  it("reads the seconds in an xid (rs/xid's own example id)", () => {
    // github.com/rs/xid README: 9m4e2mr0ui3e8a215n4g is the bytes of ObjectId 4d88e15b60f486e428412dc9, first 4 bytes the time.
    expect(xidTime("9m4e2mr0ui3e8a215n4g")?.toISOString()).toBe(new Date(0x4d88e15b * 1000).toISOString());
    expect(xidTime("not-an-xid")).toBeNull();
    expect(xidTime("")).toBeNull();
  });
});

describe("summarizeEvent", () => {
  const base = { id: "9m4e2mr0ui3e8a215n4g", actorId: "", typeUrl: "" };
  it("skips the hello and says what happened in one line", () => {
    expect(summarizeEvent({ ...base, type: "hello" })).toBeNull();
    const svc = summarizeEvent({ ...base, type: "serviceState", service: "etcd", state: "Running", message: "Health check successful", healthy: true } as TalosEvent);
    expect(svc).toMatchObject({ type: "serviceState", summary: "service etcd: Running (Health check successful), healthy", failure: false });
    const seq = summarizeEvent({ ...base, type: "sequence", sequence: "reboot", action: "stop", error: { code: 1, message: "boom" } } as TalosEvent);
    expect(seq).toMatchObject({ summary: "sequence reboot: stop (error 1: boom)", failure: true });
    expect(summarizeEvent({ ...base, type: "configValidationError", error: "bad" } as TalosEvent)?.failure).toBe(true);
  });
});

const actor: Actor = { kind: "user", id: "ev-reader", name: "ev", role: "viewer", label: "user:ev" };
const RAW = "connect ECONNREFUSED 10.5.0.2:50000";

/** A node's event stream: `first` events, then either a failure or a wait until released. */
function fakeEvents(opts: { first?: number; failAt?: "start" | "after" } = {}) {
  const state = { released: false };
  const talos = {
    events: (_node: string, o: { signal?: AbortSignal }) => {
      let n = 0;
      const it: AsyncIterator<TalosEvent> = {
        next: async () => {
          if (opts.failAt === "start") throw new AppError("node_unreachable", RAW);
          if (n < (opts.first ?? 1)) return { done: false, value: { type: "restart", id: "9m4e2mr0ui3e8a215n4g", actorId: "", typeUrl: "", cmd: n++ } as unknown as TalosEvent };
          if (opts.failAt === "after") throw new AppError("node_unreachable", RAW);
          await new Promise<void>((r) => (o.signal?.aborted ? r() : o.signal?.addEventListener("abort", () => r(), { once: true })));
          return { done: true, value: undefined };
        },
        return: async () => {
          state.released = true;
          return { done: true, value: undefined };
        },
      };
      return it;
    },
  } as unknown as LogsTalos;
  return { talos, state };
}

async function deps(talos: LogsTalos, extra: Partial<LogsServiceDeps> = {}): Promise<LogsServiceDeps> {
  return { db: await testDb(), resolveNode: async () => ({ cluster: "c1", address: "10.5.0.2" }), client: async () => talos, firstChunkWaitMs: 200, ...extra };
}

const endData = (text: string) => JSON.parse(/^event: end\ndata: (.*)$/m.exec(text)![1]!) as { message: string; code?: string };

describe("openNodeEventStream: what the browser is told", () => {
  it("a node that does not answer: the public words, the transport's to the server log", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const res = await openNodeEventStream(actor, "n@c1", { tail: 5 }, new AbortController().signal, await deps(fakeEvents({ failAt: "start" }).talos));
      const text = await res.text();
      expect(endData(text)).toEqual({ message: NO_ANSWER_MESSAGE, code: "node_unreachable" });
      expect(text).not.toContain("ECONNREFUSED");
      expect(logged.mock.calls.flat().join(" ")).toContain(RAW);
      expect(openStreamsOf(actor)).toBe(0);
    } finally {
      logged.mockRestore();
    }
  });

  it("a node that stops answering mid-stream: the same public words", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const res = await openNodeEventStream(actor, "n@c1", { tail: 5 }, new AbortController().signal, await deps(fakeEvents({ failAt: "after" }).talos));
      const text = await res.text();
      expect(text).toContain("event: talos");
      expect(endData(text).message).toBe(NO_ANSWER_MESSAGE);
      expect(text).not.toContain("ECONNREFUSED");
      expect(openStreamsOf(actor)).toBe(0);
    } finally {
      logged.mockRestore();
    }
  });

  it("ends with `session ended` once the reader's session no longer passes, releasing the node's stream and the slot", async () => {
    const { talos, state } = fakeEvents();
    const fire: (() => void)[] = [];
    const d = await deps(talos, { pump: { setTimer: (fn) => (fire.push(fn), { cancel: () => {} }) }, session: { stillAllowed: async () => false } });
    const res = await openNodeEventStream(actor, "n@c1", { tail: 5 }, new AbortController().signal, d);
    expect(openStreamsOf(actor)).toBe(1);
    const text = res.text();
    await new Promise((r) => setTimeout(r, 5));
    fire.shift()!();
    const all = await text;
    expect(endData(all)).toEqual({ message: "[minos] session ended", code: "unauthorized" });
    expect(state.released).toBe(true);
    expect(openStreamsOf(actor)).toBe(0);
  });
});
