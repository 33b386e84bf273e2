import { describe, expect, it, vi } from "vitest";

import { logsQuerySchema } from "@/lib/schemas/logs";
import type { Actor } from "@/lib/server/auth/actor";
import { listAudit } from "@/lib/server/platform/audit";
import { AppError } from "@/lib/server/platform/errors";
import type { LogsOptions } from "@/lib/server/talos/api/day2";
import { errorResponse } from "@/lib/server/http/route";
import { NO_ANSWER_MESSAGE } from "@/lib/server/talos/errors";
import { testDb } from "@/test/db";

import { SESSION_ENDED_LINE } from "./pump";
import { MAX_STREAMS_PER_USER } from "./session";
import { openDmesg, openLogStreamCount, openServiceLogs, type LogsServiceDeps, type LogsTalos } from "./service";

const actor: Actor = { kind: "user", id: "u1", name: "ann", role: "viewer", label: "user:ann" };

/** A fake node: the log's chunks, then (following) waits for more until the call is aborted. */
function fakeTalos(chunks: string[], opts: { fail?: AppError; failAfter?: AppError } = {}) {
  const seen: { logs: LogsOptions[]; aborted: number; dmesg: number } = { logs: [], aborted: 0, dmesg: 0 };
  async function* stream(follow: boolean, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
    if (opts.fail) throw opts.fail;
    for (const c of chunks) yield Buffer.from(c);
    if (opts.failAfter) throw opts.failAfter;
    if (!follow) return;
    // As the gRPC transport: an abort before or during the wait ends the call.
    if (!signal?.aborted) await new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));
    seen.aborted++;
  }
  const talos = {
    logs: (_node: string | undefined, o: LogsOptions) => {
      seen.logs.push(o);
      return stream(o.follow ?? false, o.signal);
    },
    dmesg: (_node: string | undefined, o?: { follow?: boolean; signal?: AbortSignal }) => {
      seen.dmesg++;
      return stream(o?.follow ?? false, o?.signal);
    },
    events: () => {
      throw new Error("not used");
    },
  } as unknown as LogsTalos;
  return { talos, seen };
}

async function deps(talos: LogsTalos): Promise<LogsServiceDeps> {
  return {
    db: await testDb(),
    resolveNode: async (id) => {
      if (id !== "10.5.0.2@c1") throw new AppError("not_found", `No node "${id}"`);
      return { cluster: "c1", address: "10.5.0.2" };
    },
    client: async () => talos,
    firstChunkWaitMs: 200,
  };
}

describe("openServiceLogs", () => {
  it("streams text/plain lines and audits who read which log, without any of its content", async () => {
    const { talos, seen } = fakeTalos(["[talos] 2026/12/06 20:00:00 secret-ish line\nsec", "ond\n"]);
    const d = await deps(talos);
    const res = await openServiceLogs(actor, "10.5.0.2@c1", "machined", logsQuerySchema.parse({ tail: "50" }), new AbortController().signal, d);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await res.text()).toBe("[talos] 2026/12/06 20:00:00 secret-ish line\nsecond\n");
    expect(seen.logs[0]).toMatchObject({ id: "machined", tailLines: 50, follow: false, kubernetes: false });
    const [entry] = await listAudit(d.db, { limit: 5 });
    expect(entry).toMatchObject({ actor: "user:ann", action: "node.logs", target: "10.5.0.2@c1", result: "ok", details: { service: "machined", tail: 50, follow: false } });
    expect(JSON.stringify(entry)).not.toContain("secret-ish");
  });

  it("answers the node's refusal with its status and envelope, audited as failed", async () => {
    const { talos } = fakeTalos([], { fail: new AppError("not_found", 'container "nope" not found', { node: "10.5.0.2" }) });
    const d = await deps(talos);
    await expect(openServiceLogs(actor, "10.5.0.2@c1", "nope", logsQuerySchema.parse({}), new AbortController().signal, d)).rejects.toMatchObject({ code: "not_found" });
    const [entry] = await listAudit(d.db, { limit: 5 });
    expect(entry).toMatchObject({ action: "node.logs", result: "failed", details: { service: "nope", error: { code: "not_found" } } });
  });

  it("an unknown node is not found before any Talos call", async () => {
    const { talos, seen } = fakeTalos([]);
    await expect(openServiceLogs(actor, "10.9.9.9@c1", "machined", logsQuerySchema.parse({}), new AbortController().signal, await deps(talos))).rejects.toMatchObject({ code: "not_found" });
    expect(seen.logs).toHaveLength(0);
  });

  it("ends the node's follow stream when the request aborts", async () => {
    const { talos, seen } = fakeTalos(["one\n"]);
    const req = new AbortController();
    const res = await openServiceLogs(actor, "10.5.0.2@c1", "etcd", logsQuerySchema.parse({ follow: "1" }), req.signal, await deps(talos));
    const reader = res.body!.getReader();
    expect(Buffer.from((await reader.read()).value!).toString()).toBe("one\n");
    const pending = reader.read();
    req.abort();
    expect((await pending).done).toBe(true);
    expect(seen.logs[0]!.signal!.aborted).toBe(true);
  });

  it("ends the node's follow stream when the response body is cancelled", async () => {
    const { talos, seen } = fakeTalos(["one\n"]);
    const res = await openServiceLogs(actor, "10.5.0.2@c1", "etcd", logsQuerySchema.parse({ follow: "1" }), new AbortController().signal, await deps(talos));
    const reader = res.body!.getReader();
    await reader.read();
    expect(openLogStreamCount()).toBe(1);
    await reader.cancel();
    expect(seen.logs[0]!.signal!.aborted).toBe(true);
    expect(openLogStreamCount()).toBe(0);
  });
});

describe("what a stream tells its reader", () => {
  it("a node that stops answering mid-stream reads the same as any unanswered call; the transport's words go to the server log", async () => {
    const raw = "connect ECONNREFUSED 10.5.0.2:50000 (tls: client cert CN=admin-42)";
    const { talos } = fakeTalos(["one\n"], { failAfter: new AppError("node_unreachable", raw) });
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const res = await openServiceLogs(actor, "10.5.0.2@c1", "etcd", logsQuerySchema.parse({ follow: "1" }), new AbortController().signal, await deps(talos));
      const text = await res.text();
      expect(text).toBe(`one\n[minos] stream failed: ${NO_ANSWER_MESSAGE}\n`);
      expect(text).not.toContain("ECONNREFUSED");
      expect(logged.mock.calls.flat().join(" ")).toContain(raw);
    } finally {
      logged.mockRestore();
    }
  });

  it("a refusal the node gives (not a transport failure) keeps its own words", async () => {
    const { talos } = fakeTalos(["one\n"], { failAfter: new AppError("not_found", "service etcd is not running") });
    const res = await openServiceLogs(actor, "10.5.0.2@c1", "etcd", logsQuerySchema.parse({ follow: "1" }), new AbortController().signal, await deps(talos));
    expect(await res.text()).toBe("one\n[minos] stream failed: service etcd is not running\n");
  });

  it("a stream whose session no longer passes ends with a last line, and the node's stream with it", async () => {
    const { talos, seen } = fakeTalos(["one\n"]);
    const fire: (() => void)[] = [];
    let allowed = true;
    const d: LogsServiceDeps = {
      ...(await deps(talos)),
      pump: { setTimer: (fn) => (fire.push(fn), { cancel: () => {} }) },
      session: { stillAllowed: async () => allowed },
    };
    const res = await openServiceLogs(actor, "10.5.0.2@c1", "etcd", logsQuerySchema.parse({ follow: "1" }), new AbortController().signal, d);
    const reader = res.body!.getReader();
    expect(Buffer.from((await reader.read()).value!).toString()).toBe("one\n");
    // Still signed in: the check passes and is armed again.
    fire.shift()!();
    await new Promise((r) => setTimeout(r, 5));
    expect(seen.logs[0]!.signal!.aborted).toBe(false);
    allowed = false;
    fire.at(-1)!();
    let rest = "";
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      rest += Buffer.from(r.value).toString();
    }
    expect(rest).toBe(SESSION_ENDED_LINE);
    expect(seen.logs[0]!.signal!.aborted).toBe(true);
    expect(openLogStreamCount()).toBe(0);
  });
});

describe("streams per person", () => {
  it(`the ${MAX_STREAMS_PER_USER + 1}th open stream of one person is refused with 429 until one closes`, async () => {
    const { talos } = fakeTalos(["one\n"]);
    const d = await deps(talos);
    const capped: Actor = { ...actor, id: "u-capped", label: "user:capped" };
    const open = () => openServiceLogs(capped, "10.5.0.2@c1", "etcd", logsQuerySchema.parse({ follow: "1" }), new AbortController().signal, d);
    const held: Response[] = [];
    for (let i = 0; i < MAX_STREAMS_PER_USER; i++) held.push(await open());
    const refused = await open().then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ code: "rate_limited" });
    const res = errorResponse(refused);
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/already has 16 log, dmesg or event streams open \(at most 16\)/);
    // Someone else is not affected.
    const other = await openServiceLogs({ ...actor, id: "u-other" }, "10.5.0.2@c1", "etcd", logsQuerySchema.parse({ follow: "1" }), new AbortController().signal, d);
    await other.body!.cancel();
    // Closing one frees its slot; a refused node call does not keep one.
    await held.pop()!.body!.cancel();
    held.push(await open());
    const failing = fakeTalos([], { fail: new AppError("not_found", "no such service") });
    await held.pop()!.body!.cancel();
    await expect(openServiceLogs(capped, "10.5.0.2@c1", "nope", logsQuerySchema.parse({}), new AbortController().signal, await deps(failing.talos))).rejects.toMatchObject({ code: "not_found" });
    held.push(await open());
    await Promise.all(held.map((r) => r.body!.cancel()));
  });
});

describe("openDmesg", () => {
  it("gives each kernel message its own line", async () => {
    const { talos, seen } = fakeTalos(["kern:    info: [2026-12-06T20:00:00.000000Z]: one", "kern: warning: [2026-12-06T20:00:00.100000Z]: two"]);
    const d = await deps(talos);
    const res = await openDmesg(actor, "10.5.0.2@c1", { follow: false, tail: false }, new AbortController().signal, d);
    expect(await res.text()).toBe("kern:    info: [2026-12-06T20:00:00.000000Z]: one\nkern: warning: [2026-12-06T20:00:00.100000Z]: two\n");
    expect(seen.dmesg).toBe(1);
    const [entry] = await listAudit(d.db, { limit: 5 });
    expect(entry).toMatchObject({ action: "node.dmesg", result: "ok" });
  });
});
