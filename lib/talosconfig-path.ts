import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";

// Kept apart from lib/server/talos/talosconfig.ts (server-only) because the `npm start`
// launcher needs the same lookup before any Next code runs.

/** The in-pod service-account talosconfig; read only when present. */
export const TALOS_SERVICE_ACCOUNT_CONFIG = "/var/run/secrets/talos.dev/config";

/**
 * The talosconfig to read, following talosctl's order: `$TALOSCONFIG` (as given, existing or
 * not); else `$TALOS_HOME/config` or `~/.talos/config` if it exists; else the in-pod
 * `/var/run/secrets/talos.dev/config` if it exists; else `$TALOS_HOME/config` when TALOS_HOME is
 * set (an explicit choice, so the read error can name it); else null.
 */
export function resolveTalosconfigPath(
  env: Record<string, string | undefined> = process.env,
  home: string = os.homedir(),
  exists: (file: string) => boolean = existsSync,
): string | null {
  if (env.TALOSCONFIG) return env.TALOSCONFIG;
  const primary = env.TALOS_HOME ? path.join(env.TALOS_HOME, "config") : path.join(home, ".talos", "config");
  if (exists(primary)) return primary;
  if (exists(TALOS_SERVICE_ACCOUNT_CONFIG)) return TALOS_SERVICE_ACCOUNT_CONFIG;
  return env.TALOS_HOME ? primary : null;
}

