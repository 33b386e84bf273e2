/**
 * The log, dmesg and events streams against the simulator over mTLS, through the real
 * TalosClient: what a browser gets, and that leaving ends the node's stream.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { logsQuerySchema, nodeEventSchema } from "@/lib/schemas/logs";
import type { Actor } from "@/lib/server/auth/actor";
import { NO_ANSWER_MESSAGE } from "@/lib/server/talos/errors";
import { testDb } from "@/test/db";
import { waitFor } from "@/test/simulator/helpers";
import { startTestFleet, type TestFleet } from "@/test/talos/fleet";

import { openNodeEventStream } from "./events";
import { STALLED_LINE } from "./pump";
import { openDmesg, openServiceLogs, type LogsServiceDeps } from "./service";

const FIRST = "127.0.237.1";
let t: TestFleet;

const actor: Actor = { kind: "user", id: "u1", name: "ann", role: "viewer", label: "user:ann" };
const worker = () => t.fleet.nodes.find((n) => n.role === "worker")!;
const id = () => `${worker().address}@sim`;
/** Open Logs/Dmesg streams on the node, as the simulator counts them. */
const nodeStreams = () => t.fleet.nodeStates().find((n) => n.address === worker().address)!.logStreams;

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
    const res = await openNodeEventStream(actor, `${w.address}@sim`, { tail: 5 }, new AbortController().signal, await deps());
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

  it("a node that does not answer: the stream says why and asks the browser to come back later", async () => {
    const res = await openNodeEventStream(actor, "127.0.237.99@sim", { tail: 5 }, new AbortController().signal, await deps());
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^retry: 10000\n\nevent: end\ndata: /);
    // The same words for every viewer, whatever the transport said (the address, the TLS error).
    expect(JSON.parse(/^data: (.*)$/m.exec(text)![1]!)).toEqual({ code: "node_unreachable", message: NO_ANSWER_MESSAGE });
  });
});

describe("GET /api/nodes/:node/logs/:service and /dmesg against the simulator", () => {
  it("answers the last `tail` lines of a service's log, one per line", async () => {
    const res = await openServiceLogs(actor, id(), "machined", logsQuerySchema.parse({ tail: "5" }), new AbortController().signal, await deps());
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.endsWith("\n")).toBe(true);
    expect(text.split("\n").slice(0, -1)).toHaveLength(5);
    expect(text).toContain("[talos]");
  });

  it("the kernel log comes one Talos kmsg line per message", async () => {
    const res = await openDmesg(actor, id(), { follow: false, tail: false }, new AbortController().signal, await deps());
    const lines = (await res.text()).split("\n").slice(0, -1);
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect(l).toMatch(/^(kern|user|daemon): [ a-z]{7}: \[[^\]]+\]: /);
  });

  it("a Kubernetes container the node does not have is the node's error, not a 200", async () => {
    await expect(openServiceLogs(actor, id(), "kube-system/nope:nope", logsQuerySchema.parse({ kubernetes: "1" }), new AbortController().signal, await deps())).rejects.toMatchObject({
      message: expect.stringContaining("no such file or directory"),
    });
  });

  it("a follower sees new lines; the request's abort ends the node's stream", async () => {
    t.fleet.setFault({ node: worker().address, fault: "log-flood", linesPerSecond: 50, service: "apid" });
    try {
      const req = new AbortController();
      const res = await openServiceLogs(actor, id(), "apid", logsQuerySchema.parse({ follow: "1", tail: "0" }), req.signal, await deps());
      const reader = res.body!.getReader();
      const first = await reader.read();
      expect(Buffer.from(first.value!).toString()).toMatch(/\n$/);
      expect(nodeStreams()).toBe(1);
      req.abort();
      await waitFor(() => nodeStreams() === 0, { timeoutMs: 10_000, what: "the node to see the cancel" });
    } finally {
      t.fleet.clearFaults(worker().address);
    }
  });

  it("closing the page (the body cancelled) ends the node's dmesg stream", async () => {
    const res = await openDmesg(actor, id(), { follow: true, tail: false }, new AbortController().signal, await deps());
    const reader = res.body!.getReader();
    await reader.read();
    expect(nodeStreams()).toBe(1);
    await reader.cancel();
    await waitFor(() => nodeStreams() === 0, { timeoutMs: 10_000, what: "the node to see the cancel" });
  });

  it("a reader that stops reading a flooding node is cut with a last line, and the node's stream ends", async () => {
    t.fleet.setFault({ node: worker().address, fault: "log-flood", linesPerSecond: 2_000, service: "apid" });
    try {
      const d = { ...(await deps()), pump: { highWaterMark: 16 * 1024, maxStallMs: 300 } };
      const res = await openServiceLogs(actor, id(), "apid", logsQuerySchema.parse({ follow: "1", tail: "0" }), new AbortController().signal, d);
      // Read nothing for a while: the server stops pulling at 16 KiB and cuts after 300 ms full.
      await waitFor(() => nodeStreams() === 0, { timeoutMs: 5_000, what: "the stalled stream to be cut" });
      const text = await res.text();
      expect(text.endsWith(STALLED_LINE)).toBe(true);
      // What was held is bounded by the high-water mark plus a chunk, not by the flood.
      expect(text.length).toBeLessThan(256 * 1024);
    } finally {
      t.fleet.clearFaults(worker().address);
    }
  });
});
