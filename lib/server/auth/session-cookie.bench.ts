/**
 * What the proxy's session check costs a page request (`npm run bench session-cookie`): one
 * indexed read per page, navigation and prefetch, on a database with many sessions. The store is
 * SQLite, or PostgreSQL when MINOS_DATABASE_URL names one.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

import type { BenchRow } from "@/test/bench/types";
import { parseEnv } from "@/lib/schemas/env";
import { buildAuthConfig } from "@/lib/server/auth/config";
import { actorFromSessionCookie } from "@/lib/server/auth/session-cookie";
import { createSession } from "@/lib/server/auth/sessions";
import { createUser } from "@/lib/server/auth/users";
import { dialectOf, openDb } from "@/lib/server/platform/db/db";

const SUITE = "page-session-check";
const SESSIONS = 10_000;
const ITERATIONS = 20_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export default async function bench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(path.join(tmpdir(), "minos-bench-session-"));
  const db = openDb(process.env.MINOS_DATABASE_URL || path.join(dir, "minos.db"));
  const config = buildAuthConfig(parseEnv({ MINOS_STATE_DIR: dir }));
  const now = new Date();
  const user = await createUser(db, { name: "bench", role: "viewer", source: "passkey", createdBy: "bench" }, now);
  let live = "";
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < SESSIONS; i++) live = (await createSession(trx, { userId: user.id, method: "passkey" }, config, now)).token;
  });
  const rows: BenchRow[] = [];
  for (const [name, token] of [["live session", live], ["made-up cookie", "x".repeat(43)]] as const) {
    const times: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const t = performance.now();
      const actor = await actorFromSessionCookie(token, { db, config, now });
      times.push(performance.now() - t);
      if ((actor === null) !== (name === "made-up cookie")) throw new Error(`${name}: wrong verdict`);
    }
    times.sort((a, b) => a - b);
    rows.push({ suite: SUITE, name: `${name}, p50`, value: percentile(times, 50) * 1000, unit: "µs", note: `${SESSIONS.toLocaleString("en-US")} sessions in the table, ${dialectOf(db)}` });
    rows.push({ suite: SUITE, name: `${name}, p99`, value: percentile(times, 99) * 1000, unit: "µs" });
  }
  await db.destroy();
  return rows;
}
