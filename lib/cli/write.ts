/**
 * Writes a command's OutputPlan: all files or none. Every conflict (an existing file where the
 * command must not overwrite, a directory in the way) is found before any file is touched; then
 * each file is written to a temporary file beside its target and renamed over it only once all
 * of them were written, so a full disk or a permission error leaves no partial output behind.
 * Node-only (the CLI's edge).
 */
import crypto from "node:crypto";
import { chmod, mkdir, rename, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";

import { SourceError } from "@/lib/talos/errors";

import type { OutputPlan } from "./common";

async function statOrNull(p: string) {
  try {
    return await stat(p);
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
    if (seen.has(abs)) errors.push(new SourceError(`two outputs would be written to ${JSON.stringify(f.path)}`, { source: f.path }));
    seen.add(abs);
    const st = await statOrNull(abs);
    if (st === null) continue;
    if (st.isDirectory()) errors.push(new SourceError("is a directory", { source: f.path }));
    else if (f.noClobber && !opts.force) errors.push(new SourceError(`file ${JSON.stringify(f.path)} already exists, use --force to overwrite`, { source: f.path }));
  }
  return errors;
}

/** Writes every file of the plan (call after findConflicts returned none). */
export async function writePlanFiles(plan: OutputPlan, baseDir: string): Promise<void> {
  const staged: { tmp: string; abs: string }[] = [];
  let current = "";
  try {
    for (const f of plan.files) {
      current = f.path;
      const abs = path.resolve(baseDir, f.path);
      await mkdir(path.dirname(abs), { recursive: true });
      const tmp = `${abs}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
      staged.push({ tmp, abs });
      await writeFile(tmp, f.data, { mode: f.mode });
      // writeFile's mode is filtered by the umask; secrets must be 0600 whatever it is.
      await chmod(tmp, f.mode);
    }
  } catch (e) {
    await Promise.all(staged.map((s) => unlink(s.tmp).catch(() => undefined)));
    const err = e as NodeJS.ErrnoException;
    throw new SourceError(`cannot write: ${err.code ?? err.message}`, { source: current });
  }
  for (const s of staged) await rename(s.tmp, s.abs);
}
