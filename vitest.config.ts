import os from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

import { literalGlob, storelessTestFiles } from "./test/pg/store-tests";

export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL("./", import.meta.url)),
      // Next's "server-only" marker throws outside a React Server Components bundle.
      "server-only": fileURLToPath(new URL("./test/server-only-stub.ts", import.meta.url)),
    },
  },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".next/**", "e2e/**"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Vitest's default leaves one core idle, i.e. one file at a time on CI's two cores; most
    // files wait on simulated nodes and timers as much as they compute.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    // Every file runs on SQLite, and again on PostgreSQL when it can reach the store (see
    // test/pg/store-tests.ts): `vitest --project sqlite` (or postgres) runs one.
    projects: [
      { extends: true, test: { name: "sqlite" } },
      {
        extends: true,
        test: {
          name: "postgres",
          // Added to the exclusions above (Vitest concatenates a project's arrays with the root's).
          exclude: storelessTestFiles().map(literalGlob),
          globalSetup: ["test/pg/global-setup.ts"],
          setupFiles: ["test/pg/setup.ts"],
        },
      },
    ],
  },
});
