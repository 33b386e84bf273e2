import { z } from "zod";

import { parseTrustedProxies } from "../net/client-address";

const flag = z
  .enum(["0", "1", "true", "false", ""])
  .optional()
  .transform((v) => v === "1" || v === "true");

/**
 * Every environment variable Minos reads. Parsed once at boot (`lib/server/platform/env.ts` for the
 * server, `scripts/start.ts` for the launcher) so a bad value stops Minos with a clear message.
 */
const envFields = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  MINOS_HOST: z.string().min(1).default("127.0.0.1"),
  TALOSCONFIG: z.string().min(1).optional(),
  MINOS_SIM: flag,
  MINOS_SIM_ARGS: z.string().default(""),
  /** `1`: serve the benchmark-only routes (`/api/bench-echo`, scripts/nodes-http.bench.ts); otherwise they answer 404. */
  MINOS_BENCH_ROUTES: flag,
  MINOS_STATE_DIR: z.string().min(1).default(".minos"),
  MINOS_DB: z.string().min(1).optional(),
  /** Where etcd backups are written (one file per snapshot); unset: `<MINOS_STATE_DIR>/backups`. */
  MINOS_BACKUP_DIR: z.string().min(1).optional(),
  /**
   * A PostgreSQL server for the store (`postgres://user:password@host:5432/minos`), shared by
   * every replica. Unset: SQLite at MINOS_DB.
   */
  MINOS_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  /** A readable prefix for this replica's lease owner name (a pod name); the host name otherwise. */
  MINOS_REPLICA_ID: z.string().regex(/^[A-Za-z0-9._-]{1,63}$/, "letters, digits, '.', '_' or '-', at most 63").optional(),
  /**
   * Key for config revisions at rest: 32 bytes as 64 hex digits or base64. Unset: a key is
   * generated once into `<MINOS_STATE_DIR>/secret.key` (mode 0600).
   */
  MINOS_SECRET_KEY: z
    .string()
    .refine((v) => /^[0-9a-fA-F]{64}$/.test(v) || Buffer.from(v, "base64").length === 32, "must be 32 bytes: 64 hex digits or base64")
    .optional(),
  /**
   * The URL people open Minos at (scheme, host, port). Sign-in links use it; passkeys are bound
   * to its host; mutating requests must come from it. Unset: http://localhost:<PORT>.
   */
  MINOS_ORIGIN: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * More names Minos answers to, comma-separated (host or host:port). Any other Host header is
   * refused, which defeats DNS rebinding. localhost, 127.0.0.1 and [::1] are always allowed.
   */
  MINOS_ALLOWED_HOSTS: z.string().default(""),
  /**
   * Reverse proxies whose X-Forwarded-For, -Proto and -Host Minos believes, comma-separated
   * addresses or CIDR networks (`127.0.0.1,10.0.0.0/8,fd00::/8`). Unset: the socket's address is
   * the client, and forwarded headers are dropped.
   */
  MINOS_TRUSTED_PROXIES: z
    .string()
    .default("")
    .transform((v, ctx) => {
      try {
        return parseTrustedProxies(v);
      } catch (e) {
        ctx.issues.push({ code: "custom", message: (e as Error).message, input: v });
        return z.NEVER;
      }
    }),
  /**
   * Days to keep refused sign-ins and API tokens in the audit log (0: forever). Records of
   * changes are never pruned.
   */
  MINOS_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(365),
  /** Sign out after this long without a request (minutes). */
  MINOS_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(12 * 60),
  /** Sign out this long after signing in, active or not (hours). */
  MINOS_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(90 * 24).default(7 * 24),
  /** OpenID Connect sign-in: all of issuer, client ID and secret, or none. */
  MINOS_OIDC_ISSUER: z.url().optional(),
  MINOS_OIDC_CLIENT_ID: z.string().min(1).optional(),
  MINOS_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** The ID token claim that lists the person's groups. */
  MINOS_OIDC_GROUPS_CLAIM: z.string().min(1).default("groups"),
  /**
   * Group to role, comma-separated: `platform-admins=admin,sre=operator,*=viewer`. `*` is anyone
   * the issuer vouches for; without it, a person in no listed group is refused.
   */
  MINOS_OIDC_ROLE_MAP: z.string().default(""),
  /** The sign-in button's label. */
  MINOS_OIDC_LABEL: z.string().min(1).default("Single sign-on"),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
});

/**
 * Replicas on one PostgreSQL read each other's sealed configs and talosconfigs: a key generated
 * per replica would leave each unable to open what the others wrote.
 */
export const envSchema = envFields.superRefine((e, ctx) => {
  if (e.MINOS_DATABASE_URL && !e.MINOS_SECRET_KEY) {
    ctx.addIssue({ code: "custom", path: ["MINOS_SECRET_KEY"], message: "must be set (the same on every replica) when MINOS_DATABASE_URL is" });
  }
});
export type Env = z.infer<typeof envSchema>;

/** Parses the environment, or throws an Error whose message lists every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message} (got ${JSON.stringify(source[String(i.path[0])])})`);
  throw new Error(`Invalid environment:\n${lines.join("\n")}`);
}
