import { z } from "zod";

const flag = z
  .enum(["0", "1", "true", "false", ""])
  .optional()
  .transform((v) => v === "1" || v === "true");

/**
 * Every environment variable Minos reads. Parsed once at boot (`lib/server/env.ts` for the
 * server, `scripts/start.ts` for the launcher) so a bad value stops Minos with a clear message.
 */
export const envSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  MINOS_HOST: z.string().min(1).default("127.0.0.1"),
  TALOSCONFIG: z.string().min(1).optional(),
  MINOS_SIM: flag,
  MINOS_SIM_ARGS: z.string().default(""),
  MINOS_STATE_DIR: z.string().min(1).default(".minos"),
  MINOS_DB: z.string().min(1).optional(),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
});
export type Env = z.infer<typeof envSchema>;

/** Parses the environment, or throws an Error whose message lists every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message} (got ${JSON.stringify(source[String(i.path[0])])})`);
  throw new Error(`Invalid environment:\n${lines.join("\n")}`);
}
