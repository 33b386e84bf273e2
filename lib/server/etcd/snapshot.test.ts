import { createHash } from "node:crypto";

import { describe, expect, it } from "vitest";

import { cps, fakeEtcd, three } from "@/test/etcd/fake-etcd";

import { openSnapshot, snapshotFileName, snapshotResponse, type SnapshotOutcome } from "./snapshot";

const chunks = [Buffer.from("a".repeat(1000)), Buffer.from("b".repeat(2000)), Buffer.from("c".repeat(10))];

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
    expect(outcome).toEqual({ ok: true, sizeBytes: 3010, sha256: createHash("sha256").update(body).digest("hex") });
  });

  it("a failure mid-stream errors the body (never a short file that looks complete) and is reported", async () => {
    const f = fakeEtcd(three());
    f.snapshot = () => ({ chunks, failAfter: 2, error: new Error("etcdserver: leader changed") });
    const opened = await openSnapshot({ client: f.client, cluster: "prod", controlPlanes: cps(f.members) });
    let outcome: SnapshotOutcome | undefined;
    const res = snapshotResponse(opened, "prod", (o) => (outcome = o));
    await expect(res.arrayBuffer()).rejects.toThrow("leader changed");
    expect(outcome).toMatchObject({ ok: false, sizeBytes: 3000, sha256: null, error: "etcdserver: leader changed" });
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
