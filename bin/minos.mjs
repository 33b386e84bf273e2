#!/usr/bin/env node
// Launcher for the `minos` CLI: runs lib/cli/main.ts through tsx (a runtime dependency), from any
// working directory, in this process (a second node process would cost a quarter of a second on
// every run). tsx resolves the `@/` path alias from the repo's tsconfig.json.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { register as registerCjs } from "tsx/cjs/api";
import { register as registerEsm } from "tsx/esm/api";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tsconfig = path.join(root, "tsconfig.json");
// The require hook reads the tsconfig (and its `@/` alias) from here, not from the register option.
process.env.TSX_TSCONFIG_PATH = tsconfig;
// The package is CommonJS, so .ts files load through require; ESM-only dependencies through import.
registerCjs({ tsconfig });
registerEsm({ tsconfig });
await import(pathToFileURL(path.join(root, "lib/cli/main.ts")).href);
