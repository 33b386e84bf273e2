import { createHash } from "node:crypto";

import { describe, expect, it } from "vitest";

import { cps, fakeEtcd, three, withEtcdChecksum } from "@/test/etcd/fake-etcd";

import { openSnapshot, snapshotFileName, snapshotResponse, type SnapshotOutcome } from "./snapshot";

// etcd's trailer (sha256 of the rest) split across the last two chunks.
const whole = withEtcdChecksum(Buffer.from("a".repeat(1000) + "b".repeat(2000)));
const chunks = [whole.subarray(0, 1000), whole.subarray(1000, 3010), whole.subarray(3010)];

describe("snapshot download", () => {
  it("streams every chunk and reports size and sha256 when the stream ends", async () => {
    const f = fakeEtcd(three());
    f.snapshot = () => ({ chunks });
    const opened = await openSnapshot({ client: f.client, cluster: "prod", controlPlanes: cps(f.members) });
    let outcome: SnapshotOutcome | undefined;
    const res = snapshotResponse(opened, "prod", (o) => (outcome = o), new Date("2026-01-02T03:04:05.678Z"));
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="etcd-prod-cp-b-20260102T030405678Z.snapshot"');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.equals(Buffer.concat(chunks))).toBe(true);
    expect(outcome).toEqual({ ok: true, sizeBytes: 3032, sha256: createHash("sha256").update(body).digest("hex") });
  });

  it("a failure mid-stream errors the body (never a short file that looks complete) and is reported", async () => {
    const f = fakeEtcd(three());
    f.snapshot = () => ({ chunks, failAfter: 2, error: new Error("etcdserver: leader changed") });
    const opened = await openSnapshot({ client: f.client, cluster: "prod", controlPlanes: cps(f.members) });
    let outcome: SnapshotOutcome | undefined;
    const res = snapshotResponse(opened, "prod", (o) => (outcome = o));
    await expect(res.arrayBuffer()).rejects.toThrow("leader changed");
    expect(outcome).toMatchObject({ ok: false, sizeBytes: 3010, sha256: null, error: "etcdserver: leader changed" });
  });

  it("a stream that ends early (no etcd trailer) fails the download at its end", async () => {
    const f = fakeEtcd(three());
    f.snapshot = () => ({ chunks: chunks.slice(0, 2) });
    const opened = await openSnapshot({ client: f.client, cluster: "prod", controlPlanes: cps(f.members) });
    let outcome: SnapshotOutcome | undefined;
    await expect(snapshotResponse(opened, "prod", (o) => (outcome = o)).arrayBuffer()).rejects.toThrow("does not end with etcd's sha256");
    expect(outcome).toMatchObject({ ok: false, sizeBytes: 3010 });
  });

  it("a cancelled download ends the EtcdSnapshot stream", async () => {
    const f = fakeEtcd(three());
    let ended = false;
    f.snapshot = () => ({ chunks });
    const opened = await openSnapshot({ client: f.client, cluster: "prod", controlPlanes: cps(f.members) });
    const rest = opened.rest;
    opened.rest = (async function* () {
      try {
        yield* rest;
      } finally {
        ended = true;
      }
    })();
    const res = snapshotResponse(opened, "prod", () => {});
    const reader = res.body!.getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    expect(ended).toBe(true);
  });

  it("file names keep only safe characters", () => {
    expect(snapshotFileName('a/"b', { hostname: "x y", id: "1" } as never, new Date("2026-01-01T00:00:00Z"))).toBe("etcd-a_b-x_y-20260101T000000000Z.snapshot");
  });
});
