import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

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
    // The whole suite runs once per store: `vitest --project sqlite` (or postgres) runs one.
    projects: [
      { extends: true, test: { name: "sqlite" } },
      {
        extends: true,
        test: {
          name: "postgres",
          globalSetup: ["test/pg/global-setup.ts"],
          setupFiles: ["test/pg/setup.ts"],
        },
      },
    ],
  },
});
