import "server-only";

import { isAppError } from "@/lib/server/errors";
import { env } from "@/lib/server/env";
import { loadTalosconfig, resolveTalosconfigPath, type Talosconfig } from "@/lib/server/talos/talosconfig";

export interface FleetSource {
  path: string | null;
  simulated: boolean;
  config: Talosconfig | null;
  /** Why the talosconfig could not be used; the fleet is then empty. */
  error?: string;
}

const g = globalThis as { __minosFleetSource?: Promise<FleetSource> };

/**
 * The talosconfig Minos manages, read once per server process (`npm start` passes the
 * simulator's when it launched one). A broken file is reported, not thrown, so every page can
 * still render and say what is wrong.
 */
export function getFleetSource(): Promise<FleetSource> {
  g.__minosFleetSource ??= readSource();
  return g.__minosFleetSource;
}

async function readSource(): Promise<FleetSource> {
  const e = env();
  const path = resolveTalosconfigPath(process.env);
  const simulated = e.MINOS_SIM;
  if (!path) {
    return { path, simulated, config: null, error: "No talosconfig found: set TALOSCONFIG or create ~/.talos/config." };
  }
  try {
    return { path, simulated, config: await loadTalosconfig(path) };
  } catch (err) {
    if (isAppError(err)) return { path, simulated, config: null, error: err.message };
    throw err;
  }
}
