import { describe, expect, it } from "vitest";

import type { TalosEvent } from "@/lib/server/talos";

import { summarizeEvent, xidTime } from "./events";

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
