/**
 * The postgres Vitest project's global setup: one throwaway server for the whole run (or the one
 * MINOS_TEST_PG_ADMIN_URL already names), and a migrated template database every test copies.
 */
import pg from "pg";
import type { TestProject } from "vitest/node";

import { PG_ADMIN_URL_ENV } from "@/test/db";
import { startPostgres, type PgServer } from "@/test/pg/server";
import { migratePostgres } from "@/lib/server/platform/db/db";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
  }
}

/** A server named in the environment is used as it is (`npm run db:pg` prints one). */
export default async function setup(project: TestProject): Promise<() => void> {
  let server: PgServer | undefined;
  let admin = process.env[PG_ADMIN_URL_ENV];
  if (!admin) {
    server = await startPostgres();
    admin = server.adminUrl;
  }
  // Provided to this project's test files only: the sqlite project must not see it.
  project.provide("pgAdminUrl", admin);
  const template = `minos_template_${process.pid}`;
  project.provide("pgTemplate", template);
  const client = new pg.Client(admin);
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${template}`);
    await client.query(`CREATE DATABASE ${template}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${template}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  try {
    await migratePostgres(pool);
  } finally {
    await pool.end();
  }
  return () => server?.stop();
}
