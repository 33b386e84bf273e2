/**
 * `npm run db:pg`: a throwaway PostgreSQL for development, running until Ctrl-C. Prints the URL
 * to start Minos on it (MINOS_DATABASE_URL) and to run the postgres tests against it.
 */
import { startPostgres } from "@/test/pg/server";

async function main(): Promise<void> {
  const port = process.env.PGPORT ? Number(process.env.PGPORT) : undefined;
  const server = await startPostgres({ port, fast: false });
  console.log(`PostgreSQL is running (its data is thrown away on exit).
  MINOS_DATABASE_URL=${server.urlFor("postgres")} npm start
  MINOS_TEST_PG_ADMIN_URL=${server.adminUrl} npx vitest run --project postgres
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
  console.error((e as Error).message);
  process.exit(1);
});
