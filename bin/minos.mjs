#!/usr/bin/env node
// Launcher for the `minos` CLI: runs lib/cli/main.ts through tsx (a runtime dependency), from any
// working directory. tsx resolves the `@/` path alias from the repo's tsconfig.json.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const tsxCli = path.join(path.dirname(require.resolve("tsx/package.json", { paths: [root] })), "dist/cli.mjs");

const result = spawnSync(
  process.execPath,
  [tsxCli, "--tsconfig", path.join(root, "tsconfig.json"), path.join(root, "lib/cli/main.ts"), ...process.argv.slice(2)],
  { stdio: "inherit" },
);
if (result.error) {
  process.stderr.write(`minos: cannot start: ${result.error.message}\n`);
  process.exit(2);
}
process.exit(result.status ?? 2);
