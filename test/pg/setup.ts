/**
 * Before each test file of the postgres project: the server process's own store (getDb) is a new
 * database of its own, so code that reaches the store through the runtime runs on PostgreSQL too.
 * Child processes the file starts (a restarted runner, a second replica) inherit it.
 */
import { randomBytes } from "node:crypto";

import { inject } from "vitest";

import { createPgDatabase } from "@/test/db";

process.env.MINOS_DATABASE_URL = await createPgDatabase(inject("pgAdminUrl"));
// Replicas on PostgreSQL share one key (lib/schemas/env.ts refuses to start without it).
process.env.MINOS_SECRET_KEY ??= randomBytes(32).toString("hex");
