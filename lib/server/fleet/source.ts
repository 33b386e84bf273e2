import "server-only";

import { getSecretBox } from "@/lib/server/platform/secret-box";
import { getLegacyDb as getDb } from "@/lib/server/platform/db/db";
import { isAppError } from "@/lib/server/platform/errors";
import { env } from "@/lib/server/platform/env";
import { listUploadMeta, listUploads } from "@/lib/server/fleet/uploads";
import { loadTalosconfig, parseTalosconfig, resolveTalosconfigPath, type Talosconfig } from "@/lib/server/talos/talosconfig";
import { processState } from "@/lib/server/platform/process-state";

/** Where a cluster's context came from: the talosconfig file, or an upload kept in the database. */
export type ClusterOrigin = { source: "file" } | { source: "upload"; uploadId: string };

export interface FleetSource {
  path: string | null;
  simulated: boolean;
  /** The file's contexts followed by the uploads'; null when there are none and the file failed. */
  config: Talosconfig | null;
  /** Each context's origin, by name. */
  origins: Record<string, ClusterOrigin>;
  /** Why the talosconfig (or an upload) could not be used. */
  error?: string;
}

/** A parsed upload, as the merge sees it. */
export interface ParsedUpload {
  id: string;
  name: string;
  config: Talosconfig;
}

/**
 * Merges the file's contexts with the uploads' (pure). Names are unique across both: the upload
 * route refuses a duplicate, but the file can change under a stored upload, so a later context
 * with a taken name is skipped and reported rather than shadowing the first.
 */
export function mergeFleetConfigs(
  file: Talosconfig | null,
  uploads: readonly ParsedUpload[],
): { config: Talosconfig | null; origins: Record<string, ClusterOrigin>; errors: string[] } {
  const origins: Record<string, ClusterOrigin> = {};
  const contexts: Talosconfig["contexts"] = [];
  const errors: string[] = [];
  for (const c of file?.contexts ?? []) {
    origins[c.name] = { source: "file" };
    contexts.push(c);
  }
  for (const u of uploads) {
    for (const c of u.config.contexts) {
      if (origins[c.name]) {
        errors.push(`Uploaded talosconfig "${u.name}": context "${c.name}" is skipped, a cluster of that name already exists`);
        continue;
      }
      origins[c.name] = { source: "upload", uploadId: u.id };
      contexts.push(c);
    }
  }
  if (!file && contexts.length === 0) return { config: null, origins, errors };
  return { config: { source: file?.source ?? null, current: file?.current ?? null, contexts }, origins, errors };
}

const g = processState<{ __minosFleetSource?: Promise<FleetSource> }>();

/**
 * The talosconfig Minos manages: the file (`npm start` passes the simulator's when it launched
 * one) merged with the uploads, read once per server process until {@link invalidateFleetSource}.
 * A broken file is reported, not thrown, so every page can still render and say what is wrong.
 */
export function getFleetSource(): Promise<FleetSource> {
  g.__minosFleetSource ??= readSource();
  return g.__minosFleetSource;
}

/** Forgets the cached source: the next read sees the uploads as they are now. */
export function invalidateFleetSource(): void {
  g.__minosFleetSource = undefined;
}

async function readFile(path: string | null): Promise<{ config: Talosconfig | null; error?: string }> {
  if (!path) return { config: null, error: "No talosconfig found: set TALOSCONFIG or create ~/.talos/config." };
  try {
    return { config: await loadTalosconfig(path) };
  } catch (err) {
    if (isAppError(err)) return { config: null, error: err.message };
    throw err;
  }
}

function readUploads(): { uploads: ParsedUpload[]; errors: string[] } {
  const uploads: ParsedUpload[] = [];
  const errors: string[] = [];
  try {
    const db = getDb();
    // No uploads, no key: a fleet run from the file alone never creates a key file.
    if (listUploadMeta(db).length === 0) return { uploads, errors };
    for (const u of listUploads(db, getSecretBox(env()))) {
      try {
        uploads.push({ id: u.id, name: u.name, config: parseTalosconfig(u.talosconfig, `uploaded talosconfig "${u.name}"`) });
      } catch (err) {
        if (!isAppError(err)) throw err;
        errors.push(err.message);
      }
    }
  } catch (err) {
    // An unreadable database or a wrong key must not hide the file's clusters.
    errors.push(`The uploaded talosconfigs could not be read: ${(err as Error).message}`);
  }
  return { uploads, errors };
}

async function readSource(): Promise<FleetSource> {
  const e = env();
  const path = resolveTalosconfigPath(process.env);
  const file = await readFile(path);
  const { uploads, errors } = readUploads();
  const merged = mergeFleetConfigs(file.config, uploads);
  // With uploads and no file at all, a missing default file is not worth an error.
  const fileError = file.error && !(path === null && merged.config) ? [file.error] : [];
  const all = [...fileError, ...errors, ...merged.errors];
  return { path, simulated: e.MINOS_SIM, config: merged.config, origins: merged.origins, ...(all.length ? { error: all.join("; ") } : {}) };
}
