import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { GET } from "@/app/api/health/route";
import { healthResponseSchema } from "@/lib/schemas/health";
import { getDb, openDb, type Db } from "@/lib/server/platform/db/db";
import { acquireLease } from "@/lib/server/platform/leases";
import { processState } from "@/lib/server/platform/process-state";
import { replicaId } from "@/lib/server/platform/replica";
import { testStore } from "@/test/db";

process.env.MINOS_STATE_DIR = mkdtempSync(path.join(tmpdir(), "minos-health-"));
const get = () => GET(new Request("http://127.0.0.1/api/health", { headers: { host: "127.0.0.1" } }), { params: Promise.resolve({}) });

describe("GET /api/health", () => {
  it("reports the store and this replica's leases by kind, never their names", async () => {
    const now = Date.now();
    await acquireLease(getDb(), "poller:secret-cluster-name", replicaId(), now);
    await acquireLease(getDb(), "poller:other", replicaId(), now);
    await acquireLease(getDb(), "upgrade:p1", replicaId(), now);
    await acquireLease(getDb(), "rollout:r1", "another-replica", now);
    const res = await get();
    expect(res.status).toBe(200);
    const text = await res.text();
    const body = healthResponseSchema.parse(JSON.parse(text));
    expect(body.store.dialect).toBe(testStore());
    expect(body.replica).toEqual({ id: replicaId(), leases: { poller: 2, upgrade: 1 } });
    expect(text).not.toContain("secret-cluster-name");
  });

  it("is 503 store_unavailable when the database does not answer", async () => {
    const slots = processState<{ __minosDb?: Db }>();
    const before = slots.__minosDb;
    // Nothing listens on port 1: the pool's connection is refused.
    slots.__minosDb = openDb("postgres://minos@127.0.0.1:1/minos");
    try {
      const res = await get();
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("store_unavailable");
    } finally {
      await slots.__minosDb.destroy().catch(() => undefined);
      slots.__minosDb = before;
    }
  });
});
