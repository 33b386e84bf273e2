import "server-only";

import { parseEnv, type Env } from "@/lib/schemas/env";
import { processState } from "@/lib/server/platform/process-state";

const g = processState<{ __minosEnv?: Env }>();

/** The server's environment, parsed once; a bad value fails the first request loudly. */
export function env(): Env {
  g.__minosEnv ??= parseEnv(process.env);
  return g.__minosEnv;
}
