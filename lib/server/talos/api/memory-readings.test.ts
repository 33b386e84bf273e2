/**
 * The poller's Memory read decodes MemTotal and MemAvailable straight off the wire; it must
 * agree with the generated decoder on every shape apid sends (every field set, fields it does
 * not read, values past 2^32, the metadata of a one-to-many reply, an empty reply).
 */
import { describe, expect, it } from "vitest";

import { MemInfo, MemoryResponse } from "@/lib/third_party/talos-proto/gen/machine/machine";

import { decodeMemoryReadings } from "./machine";

/** A MemInfo with every field set to a distinct value (in kB), some past 2^32. */
function fullMemInfo(seed: number): MemInfo {
  const info = MemInfo.fromPartial({});
  Object.keys(info).forEach((k, i) => ((info as unknown as Record<string, string>)[k] = String(seed * 1_000_003 + i * 7_919 + (i % 5 === 0 ? 2 ** 33 : 0))));
  return info;
}

function generated(buf: Uint8Array) {
  return MemoryResponse.decode(buf).messages.map((m) => ({
    metadata: m.metadata,
    meminfo: m.meminfo ? { memtotal: Number(m.meminfo.memtotal), memavailable: Number(m.meminfo.memavailable) } : undefined,
  }));
}

describe("decodeMemoryReadings", () => {
  it("reads MemTotal and MemAvailable as the generated decoder does, skipping the other fields", () => {
    const info = fullMemInfo(3);
    const buf = MemoryResponse.encode({ messages: [{ meminfo: info }] }).finish();
    const lean = decodeMemoryReadings(buf).messages;
    expect(lean).toEqual([{ meminfo: { memtotal: Number(info.memtotal), memavailable: Number(info.memavailable) } }]);
    expect(lean[0]!.meminfo).toEqual(generated(buf)[0]!.meminfo);
    expect(lean[0]!.meminfo!.memtotal).toBeGreaterThan(2 ** 32);
  });

  it("keeps each message's metadata (one-to-many replies, a backend's error) and a message without meminfo", () => {
    const buf = MemoryResponse.encode({
      messages: [
        { metadata: { hostname: "10.5.0.2", error: "", status: undefined }, meminfo: fullMemInfo(1) },
        { metadata: { hostname: "10.5.0.3", error: "rpc error: code = Unavailable", status: { code: 14, message: "connection refused", details: [] } } },
      ],
    }).finish();
    const lean = decodeMemoryReadings(buf).messages;
    const want = generated(buf);
    expect(lean).toHaveLength(2);
    expect(lean[0]).toEqual({ metadata: want[0]!.metadata, meminfo: want[0]!.meminfo });
    expect(lean[1]).toEqual({ metadata: want[1]!.metadata });
    expect(lean[1]!.metadata?.error).toContain("Unavailable");
  });

  it("an empty reply has no messages; zero values are proto3's absent fields", () => {
    expect(decodeMemoryReadings(new Uint8Array()).messages).toEqual([]);
    const buf = MemoryResponse.encode({ messages: [{ meminfo: MemInfo.fromPartial({}) }] }).finish();
    expect(decodeMemoryReadings(buf).messages).toEqual([{ meminfo: { memtotal: 0, memavailable: 0 } }]);
  });
});
