import "server-only";

import { authConfig } from "@/lib/server/auth/config";
import type { AuthDeps } from "@/lib/server/auth/guard";
import { rateLimiter } from "@/lib/server/auth/rate-limit";
import { getDb } from "@/lib/server/platform/db/db";

/** The process's database, config, limiter and the current time. */
export function defaultAuthDeps(): AuthDeps {
  const db = getDb();
  return { db, config: authConfig(), limiter: rateLimiter(db), now: new Date() };
}
