/**
 * `npm run db:pg`: a throwaway PostgreSQL for development, running until Ctrl-C. Prints the URL
 * to start Minos on it (MINOS_DATABASE_URL) and to run the postgres tests against it.
 */
import { startPostgres } from "@/test/pg/server";

// No top-level await: tsx runs this file as CommonJS (the package is not "type": "module").
async function main(): Promise<void> {
  const port = process.env.PGPORT ? Number(process.env.PGPORT) : undefined;
  const server = await startPostgres({ port, fast: false });
  const url = server.urlFor("postgres");
  console.log(`PostgreSQL is running (data is thrown away on exit).
  MINOS_DATABASE_URL=${url} npm start
  ${"MINOS_TEST_PG_ADMIN_URL"}=${server.adminUrl} npx vitest run --project postgres
Press Ctrl-C to stop.`);
  const stop = () => {
    server.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  setInterval(() => undefined, 1 << 30);
}

main().catch((e: unknown) => {
  console.error(`[minos] db:pg: ${(e as Error).message}`);
  process.exit(1);
});
