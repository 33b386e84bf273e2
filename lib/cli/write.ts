/**
 * Writes a command's OutputPlan. Every conflict (an existing file where the command must not
 * overwrite, a directory in the way) is found before any file is touched; then each regular file
 * is written to a temporary file beside its real target and renamed over it only once all of them
 * were written, so a full disk or a permission error leaves no partial output behind.
 *
 * What talosctl's os.WriteFile (open with O_TRUNC) does, kept here: the mode is asked of open(2),
 * so the umask applies; an existing file keeps its mode (unless the file asks for its exact mode:
 * secrets); a symlink is written through (the real
 * file is replaced, the link stays); a device, FIFO or descriptor (`-o /dev/stdout`) is written
 * into, never replaced. Renames are per file: if one fails after another succeeded, the earlier
 * file stays replaced (the remaining temporary files are removed). Node-only (the CLI's edge).
 */
import crypto from "node:crypto";
import { chmod, lstat, mkdir, open, readlink, realpath, rename, stat, unlink } from "node:fs/promises";
import path from "node:path";

import { SourceError } from "@/lib/talos/errors";

import type { OutputPlan } from "./common";

async function statOrNull(p: string, follow = true) {
  try {
    return await (follow ? stat(p) : lstat(p));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

/** The conflicts, as errors naming each file (talosctl's text); empty when the plan may be written. */
export async function findConflicts(plan: OutputPlan, opts: { force: boolean; baseDir: string }): Promise<SourceError[]> {
  const errors: SourceError[] = [];
  const seen = new Set<string>();
  for (const f of plan.files) {
    const abs = path.resolve(opts.baseDir, f.path);
    // Two names for one file (a symlink) count as one output; a missing directory is no conflict.
    const real = await resolveTarget(abs).then(
      (t) => t.path,
      () => abs,
    );
    if (seen.has(real)) errors.push(new SourceError(`two outputs would be written to ${JSON.stringify(f.path)}`, { source: f.path }));
    seen.add(real);
    const st = await statOrNull(abs);
    if (st === null) continue;
    if (st.isDirectory()) errors.push(new SourceError("is a directory", { source: f.path }));
    else if (f.noClobber && !opts.force) errors.push(new SourceError(`file ${JSON.stringify(f.path)} already exists, use --force to overwrite`, { source: f.path }));
  }
  return errors;
}

/** Where a planned file really goes, and how. */
export interface Target {
  /** The file to replace or create (symlinks followed), or the special file to write into. */
  path: string;
  /** Write into the file itself: a device, FIFO, socket or /proc descriptor link. */
  inPlace: boolean;
  /** The existing regular file's permission bits, which the new file keeps. */
  mode?: number;
}

/**
 * Follows symlinks the way open(2) would, so the temporary file sits beside the real file. Links
 * into /proc (`/dev/stdout` → /proc/self/fd/1) name open descriptors, not files: a rename there
 * would fail, and following one to the file a shell redirected to would replace that file instead
 * of writing into the descriptor (`>>` appends), so those are written in place.
 */
export async function resolveTarget(abs: string): Promise<Target> {
  let p = abs;
  for (let hops = 0; hops <= 40; hops++) {
    const dir = await realpath(path.dirname(p));
    p = path.join(dir, path.basename(p));
    if (dir === "/proc" || dir.startsWith("/proc/")) return { path: p, inPlace: true };
    const st = await statOrNull(p, false);
    if (st === null) return { path: p, inPlace: false };
    if (st.isSymbolicLink()) {
      p = path.resolve(dir, await readlink(p));
      continue;
    }
    if (st.isFile()) return { path: p, inPlace: false, mode: st.mode & 0o777 };
    if (st.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    return { path: p, inPlace: true };
  }
  throw Object.assign(new Error("too many levels of symbolic links"), { code: "ELOOP" });
}

/** Writes data to p through open(2): `flags` "wx" for a new temporary file, "w" to write into p. */
async function writeThrough(p: string, data: string, flags: "w" | "wx", mode: number): Promise<void> {
  const fh = await open(p, flags, mode);
  try {
    await fh.writeFile(data);
  } finally {
    await fh.close();
  }
}

const cannot = (verb: string, e: unknown, source: string) => {
  const err = e as NodeJS.ErrnoException;
  return new SourceError(`cannot ${verb}: ${err.code ?? err.message}`, { source });
};

/** Writes every file of the plan (call after findConflicts returned none). */
export async function writePlanFiles(plan: OutputPlan, baseDir: string): Promise<void> {
  const staged: { tmp: string; real: string; source: string }[] = [];
  const inPlace: { real: string; data: string; mode: number; source: string }[] = [];
  const removeStaged = (from: number) => Promise.all(staged.slice(from).map((s) => unlink(s.tmp).catch(() => undefined)));
  let current = "";
  try {
    for (const f of plan.files) {
      current = f.path;
      const abs = path.resolve(baseDir, f.path);
      await mkdir(path.dirname(abs), { recursive: true });
      const target = await resolveTarget(abs);
      if (target.inPlace) {
        inPlace.push({ real: target.path, data: f.data, mode: f.mode, source: f.path });
        continue;
      }
      const tmp = `${target.path}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
      staged.push({ tmp, real: target.path, source: f.path });
      // The umask filters a new file's mode (as talosctl's os.WriteFile); an existing file's
      // mode is kept, as truncating it in place would, unless the plan asks for its exact mode.
      await writeThrough(tmp, f.data, "wx", f.mode);
      if (f.exactMode) await chmod(tmp, f.mode);
      else if (target.mode !== undefined) await chmod(tmp, target.mode);
    }
    // Special files cannot be staged; write them before any rename, so a failure there (a
    // closed pipe) replaces no file.
    for (const w of inPlace) {
      current = w.source;
      await writeThrough(w.real, w.data, "w", w.mode);
    }
  } catch (e) {
    await removeStaged(0);
    throw cannot("write", e, current);
  }
  for (let i = 0; i < staged.length; i++) {
    try {
      await rename(staged[i]!.tmp, staged[i]!.real);
    } catch (e) {
      await removeStaged(i);
      const replaced = staged.slice(0, i).map((s) => s.source);
      const err = cannot("replace", e, staged[i]!.source);
      throw replaced.length === 0 ? err : new SourceError(`${err.message} (already replaced: ${replaced.join(", ")})`, err.place);
    }
  }
}
