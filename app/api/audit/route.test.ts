import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

const stateDir = mkdtempSync(path.join(tmpdir(), "minos-audit-route-"));
process.env.MINOS_STATE_DIR = stateDir;
process.env.MINOS_DB = path.join(stateDir, "minos.db");

import { auditListResponseSchema } from "@/lib/schemas/audit";
import { recordAudit } from "@/lib/server/platform/audit";
import { getDb } from "@/lib/server/platform/db/db";
import { authedRequest } from "@/test/auth/credentials";

import { GET } from "./route";

async function targets(query: string): Promise<string[]> {
  const res = await GET(await authedRequest(`http://127.0.0.1/api/audit${query}`));
  expect(res.status).toBe(200);
  return auditListResponseSchema
    .parse(await res.json())
    .entries.filter((e) => e.action === "test.entry")
    .map((e) => e.target);
}

describe("GET /api/audit", () => {
  it("lists newest first and pages back by id; a `before` beyond every id (and PostgreSQL's INTEGER) lists from the newest", async () => {
    const ids: number[] = [];
    for (const target of ["t0", "t1", "t2"]) ids.push(await recordAudit(getDb(), { actor: "test", action: "test.entry", target, result: "ok", details: null }));
    expect(await targets("")).toEqual(["t2", "t1", "t0"]);
    expect(await targets(`?before=${ids[2]}`)).toEqual(["t1", "t0"]);
    expect(await targets(`?before=${ids[2]}&limit=1`)).toEqual(["t1"]);
    expect(await targets("?before=99999999999")).toEqual(["t2", "t1", "t0"]);
  });
});
