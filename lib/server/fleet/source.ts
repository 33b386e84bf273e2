import "server-only";

import { getSecretBox, type SecretBox } from "@/lib/server/platform/secret-box";
import { getDb, type Db } from "@/lib/server/platform/db/db";
import { isAppError } from "@/lib/server/platform/errors";
import { env } from "@/lib/server/platform/env";
import { fingerprintOf, listUploads, uploadsFingerprint } from "@/lib/server/fleet/uploads";
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
  /** Its contexts replace the file's of the same names (a CA rotation of a cluster from the file). */
  overridesFile?: boolean;
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
      if (u.overridesFile && origins[c.name]?.source === "file") {
        // The file still holds the credentials a CA rotation replaced: the upload's are the live ones.
        origins[c.name] = { source: "upload", uploadId: u.id };
        contexts[contexts.findIndex((x) => x.name === c.name)] = c;
        continue;
      }
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

/** What the fleet source reads; the process's own in {@link getFleetSource}, two stores on one database in tests. */
export interface FleetSourceDeps {
  db: () => Db;
  box: () => SecretBox;
  /** The talosconfig file's path, resolved when the file is (re)read. */
  path: () => string | null;
  simulated: () => boolean;
}

/** The fleet source of one replica: the file cached until invalidated, the uploads as the database has them now. */
export interface FleetSourceReader {
  read(): Promise<FleetSource>;
  /** Forgets the file and any read in flight: the next read starts afresh. */
  invalidate(): void;
}

interface FileRead {
  path: string | null;
  config: Talosconfig | null;
  error?: string;
}

/** The uploads as read at `fingerprint` (see uploadsFingerprint); null when the database could not be read. */
interface UploadsRead {
  fingerprint: string | null;
  uploads: ParsedUpload[];
  errors: string[];
}

/**
 * Builds a replica's fleet source. The file is read once until {@link FleetSourceReader.invalidate}
 * (the server's operator owns it; a change needs a restart or an upload here). The uploads live in
 * the database, shared by every replica: each read first compares the table's fingerprint (the
 * upload ids, no content) with the one the cached uploads were read at, and re-reads on a
 * difference, so an upload or removal made through another replica shows on the next read.
 * Uploads already parsed keep their parsed contexts (rows are never updated), so a cluster's
 * context object stays the same while its upload does. Concurrent reads share one.
 */
export function createFleetSourceReader(deps: FleetSourceDeps): FleetSourceReader {
  let file: Promise<FileRead> | undefined;
  /** The last successful read of the uploads. */
  let uploads: UploadsRead | undefined;
  let merged: { file: FileRead; uploads: UploadsRead; source: FleetSource } | undefined;
  let inflight: Promise<FleetSource> | undefined;

  async function readUploads(): Promise<UploadsRead> {
    let db: Db;
    let fingerprint: string;
    try {
      db = deps.db();
      fingerprint = await uploadsFingerprint(db);
    } catch (err) {
      // An unreadable database must not hide the file's clusters, nor (for a passing outage) the
      // uploads already known: they are served as last read, with the error, and re-read next time.
      const error = `The uploaded talosconfigs could not be read: ${(err as Error).message}`;
      return { fingerprint: null, uploads: uploads?.uploads ?? [], errors: [...(uploads?.errors ?? []), error] };
    }
    if (uploads && uploads.fingerprint === fingerprint) return uploads;
    uploads = await parseUploads(db, fingerprint, uploads);
    return uploads;
  }

  async function parseUploads(db: Db, fingerprint: string, previous: UploadsRead | undefined): Promise<UploadsRead> {
    // No uploads, no key: a fleet run from the file alone never creates a key file.
    if (fingerprint === "") return { fingerprint, uploads: [], errors: [] };
    const known = new Map((previous?.uploads ?? []).map((u) => [u.id, u]));
    const parsed: ParsedUpload[] = [];
    const errors: string[] = [];
    let rows;
    try {
      rows = await listUploads(db, deps.box());
      for (const u of rows) {
        const seen = known.get(u.id);
        if (seen) {
          parsed.push(seen);
          continue;
        }
        try {
          parsed.push({ id: u.id, name: u.name, config: parseTalosconfig(u.talosconfig, `uploaded talosconfig "${u.name}"`), overridesFile: u.overridesFile });
        } catch (err) {
          if (!isAppError(err)) throw err;
          errors.push(err.message);
        }
      }
    } catch (err) {
      // A wrong key stays wrong until a restart: kept with the fingerprint, not retried per read.
      return { fingerprint, uploads: [], errors: [`The uploaded talosconfigs could not be read: ${(err as Error).message}`] };
    }
    // The rows read, not the fingerprint read before them: an insert in between is part of this read.
    return { fingerprint: fingerprintOf(rows), uploads: parsed, errors };
  }

  async function current(): Promise<FleetSource> {
    if (!file) {
      const read = readFile(deps.path());
      file = read;
      // A failure that is not the file's fault (not an AppError) is not kept: the next read retries.
      read.catch(() => {
        if (file === read) file = undefined;
      });
    }
    const [f, u] = await Promise.all([file, readUploads()]);
    if (merged && merged.file === f && merged.uploads === u) return merged.source;
    const source = mergeSource(f, u, deps.simulated());
    merged = { file: f, uploads: u, source };
    return source;
  }

  return {
    read() {
      if (inflight) return inflight;
      const p = current();
      inflight = p;
      const done = () => {
        if (inflight === p) inflight = undefined;
      };
      p.then(done, done);
      return p;
    },
    invalidate() {
      file = undefined;
      inflight = undefined;
    },
  };
}

const g = processState<{ __minosFleetSource?: FleetSourceReader }>();

function processReader(): FleetSourceReader {
  g.__minosFleetSource ??= createFleetSourceReader({
    db: getDb,
    box: () => getSecretBox(env()),
    path: () => resolveTalosconfigPath(process.env),
    simulated: () => env().MINOS_SIM,
  });
  return g.__minosFleetSource;
}

/**
 * The talosconfig Minos manages: the file (`npm start` passes the simulator's when it launched
 * one) merged with the uploads, which every read takes from the database as it is now (see
 * {@link createFleetSourceReader}). A broken file is reported, not thrown, so every page can
 * still render and say what is wrong.
 */
export function getFleetSource(): Promise<FleetSource> {
  return processReader().read();
}

/** Forgets the cached file and any read in flight: the next read starts afresh. */
export function invalidateFleetSource(): void {
  g.__minosFleetSource?.invalidate();
}

async function readFile(path: string | null): Promise<FileRead> {
  if (!path) return { path, config: null, error: "No talosconfig found: set TALOSCONFIG or create ~/.talos/config." };
  try {
    return { path, config: await loadTalosconfig(path) };
  } catch (err) {
    if (isAppError(err)) return { path, config: null, error: err.message };
    throw err;
  }
}

function mergeSource(file: FileRead, uploads: UploadsRead, simulated: boolean): FleetSource {
  const merged = mergeFleetConfigs(file.config, uploads.uploads);
  // With uploads and no file at all, a missing default file is not worth an error.
  const fileError = file.error && !(file.path === null && merged.config) ? [file.error] : [];
  const all = [...fileError, ...uploads.errors, ...merged.errors];
  return { path: file.path, simulated, config: merged.config, origins: merged.origins, ...(all.length ? { error: all.join("; ") } : {}) };
}
