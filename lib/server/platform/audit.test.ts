import { describe, expect, it } from "vitest";

import { auditEntrySchema } from "@/lib/schemas/audit";
import { listAudit, recordAudit } from "@/lib/server/platform/audit";
import { testDb } from "@/test/db";

describe("audit log", () => {
  it("appends entries and lists them newest first, paged by id", async () => {
    const db = await testDb();
    for (let i = 1; i <= 5; i++) {
      await recordAudit(db, { actor: "alice", action: "config.apply", target: `10.0.0.${i}@lab`, result: i === 3 ? "failed" : "ok", details: { mode: "auto", i } });
    }
    const first = await listAudit(db, { limit: 2 });
    expect(first.map((e) => e.target)).toEqual(["10.0.0.5@lab", "10.0.0.4@lab"]);
    const next = await listAudit(db, { limit: 10, before: first[1]!.id });
    expect(next.map((e) => e.target)).toEqual(["10.0.0.3@lab", "10.0.0.2@lab", "10.0.0.1@lab"]);
    expect(next[0]).toMatchObject({ result: "failed", details: { mode: "auto", i: 3 } });
    for (const e of [...first, ...next]) expect(auditEntrySchema.parse(e)).toEqual(e);
  });
});
