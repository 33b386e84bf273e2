/**
 * The log, dmesg and events streams against the simulator over mTLS, through the real
 * TalosClient: what a browser gets, and that leaving ends the node's stream.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { nodeEventSchema } from "@/lib/schemas/logs";
import { testDb } from "@/test/db";
import { startTestFleet, type TestFleet } from "@/test/talos/fleet";

import { openNodeEventStream } from "./events";
import type { LogsServiceDeps } from "./service";

const FIRST = "127.0.237.1";
let t: TestFleet;

async function deps(): Promise<LogsServiceDeps> {
  return {
    db: await testDb(),
    resolveNode: async (id) => ({ cluster: "sim", address: id.split("@")[0]! }),
    client: async () => t.clients.reader,
    firstChunkWaitMs: 1_000,
  };
}

/** Reads SSE frames until `want` events of type `talos` came. */
async function readEvents(body: ReadableStream<Uint8Array>, want: number): Promise<{ events: unknown[]; reader: ReadableStreamDefaultReader<Uint8Array> }> {
  const reader = body.getReader();
  const dec = new TextDecoder();
  let text = "";
  const events: unknown[] = [];
  while (events.length < want) {
    const { done, value } = await reader.read();
    if (done) break;
    text += dec.decode(value, { stream: true });
    let i: number;
    while ((i = text.indexOf("\n\n")) !== -1) {
      const frame = text.slice(0, i);
      text = text.slice(i + 2);
      const data = /^event: talos\ndata: (.*)$/m.exec(frame);
      if (data) events.push(JSON.parse(data[1]!));
    }
  }
  return { events, reader };
}

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: FIRST, controlPlanes: 1, workers: 1 });
});

afterAll(async () => {
  await t?.stop();
});

describe("GET /api/nodes/:node/events against the simulator", () => {
  it("streams the node's buffered Talos events as SSE, each a valid NodeEvent with its time", async () => {
    const w = t.fleet.nodes.find((n) => n.role === "worker")!;
    const res = await openNodeEventStream(`${w.address}@sim`, { tail: 5 }, new AbortController().signal, await deps());
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const { events, reader } = await readEvents(res.body!, 3);
    expect(events).toHaveLength(3);
    for (const e of events) {
      const parsed = nodeEventSchema.parse(e);
      expect(parsed.at).not.toBeNull();
      expect(Math.abs(Date.parse(parsed.at!) - Date.now())).toBeLessThan(3_600_000);
    }
    await reader.cancel();
  });

  it("an unknown address answers the transport's error, not a 200", async () => {
    await expect(openNodeEventStream("127.0.237.99@sim", { tail: 5 }, new AbortController().signal, await deps())).rejects.toMatchObject({ code: "node_unreachable" });
  });
});
