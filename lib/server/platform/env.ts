import "server-only";

import { parseEnv, type Env } from "@/lib/schemas/env";

const g = globalThis as { __minosEnv?: Env };

/** The server's environment, parsed once; a bad value fails the first request loudly. */
export function env(): Env {
  g.__minosEnv ??= parseEnv(process.env);
  return g.__minosEnv;
}
