import "server-only";

import { allowedHostsFrom } from "@/lib/auth/hosts";
import type { Env } from "@/lib/schemas/env";
import type { Role } from "@/lib/schemas/auth";
import { env } from "@/lib/server/platform/env";
import { processState } from "@/lib/server/platform/process-state";

/** The access-control settings, derived once from the environment. */
export interface AuthConfig {
  /** Where people open Minos; sign-in links point here. */
  origin: URL;
  /** Lower-case `host` or `host:port` entries Minos answers to, beyond loopback names. */
  allowedHosts: string[];
  sessionIdleMs: number;
  sessionMaxMs: number;
  rpName: string;
  oidc: OidcConfig | null;
  stateDir: string;
}

export interface OidcConfig {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  groupsClaim: string;
  /** Group name → role; the key "*" matches anyone the issuer signs in. */
  roleMap: Map<string, Role>;
  label: string;
}

/** Builds the config from a parsed environment; throws on a half-configured OIDC. */
export function buildAuthConfig(e: Env): AuthConfig {
  const origin = new URL(e.MINOS_ORIGIN ?? `http://localhost:${e.PORT}`);
  const allowedHosts = allowedHostsFrom(origin, e.MINOS_ALLOWED_HOSTS);
  const oidcVars = [e.MINOS_OIDC_ISSUER, e.MINOS_OIDC_CLIENT_ID, e.MINOS_OIDC_CLIENT_SECRET];
  if (oidcVars.some(Boolean) && !oidcVars.every(Boolean)) {
    throw new Error("OpenID Connect needs all of MINOS_OIDC_ISSUER, MINOS_OIDC_CLIENT_ID and MINOS_OIDC_CLIENT_SECRET");
  }
  return {
    origin,
    allowedHosts,
    sessionIdleMs: e.MINOS_SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: e.MINOS_SESSION_MAX_HOURS * 3_600_000,
    rpName: "Minos",
    stateDir: e.MINOS_STATE_DIR,
    oidc: e.MINOS_OIDC_ISSUER
      ? {
          issuer: new URL(e.MINOS_OIDC_ISSUER),
          clientId: e.MINOS_OIDC_CLIENT_ID!,
          clientSecret: e.MINOS_OIDC_CLIENT_SECRET!,
          groupsClaim: e.MINOS_OIDC_GROUPS_CLAIM,
          roleMap: parseRoleMap(e.MINOS_OIDC_ROLE_MAP),
          label: e.MINOS_OIDC_LABEL,
        }
      : null,
  };
}

/** Parses `group=role,group=role`; throws naming the bad entry. */
export function parseRoleMap(spec: string): Map<string, Role> {
  const map = new Map<string, Role>();
  for (const entry of spec.split(",").map((s) => s.trim()).filter(Boolean)) {
    const eq = entry.lastIndexOf("=");
    const group = entry.slice(0, eq).trim();
    const role = entry.slice(eq + 1).trim();
    if (eq <= 0 || !group || !["viewer", "operator", "admin"].includes(role)) {
      throw new Error(`MINOS_OIDC_ROLE_MAP: "${entry}" is not group=viewer|operator|admin`);
    }
    map.set(group, role as Role);
  }
  return map;
}

const g = processState<{ __minosAuthConfig?: AuthConfig }>();

/** The server's auth config, built on first use. */
export function authConfig(): AuthConfig {
  g.__minosAuthConfig ??= buildAuthConfig(env());
  return g.__minosAuthConfig;
}
