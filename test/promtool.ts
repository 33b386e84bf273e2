/**
 * Runs Prometheus's promtool (Debian's `prometheus` package; `.ci/run` installs it on CI) on files
 * written to a temporary directory. A missing promtool fails the test with how to get it, rather
 * than skipping: the rule file is only proven valid by promtool itself.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** `PROMTOOL` or the one on PATH. */
export const PROMTOOL = process.env.PROMTOOL ?? "promtool";

export interface PromtoolResult {
  code: number;
  output: string;
}

/**
 * `promtool <args…>` in a fresh directory holding `files` (name → content); args may name them.
 * Resolves with the exit code and stdout+stderr; rejects only when promtool cannot be run.
 */
export async function promtool(args: string[], files: Record<string, string>): Promise<PromtoolResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "minos-promtool-"));
  try {
    for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
    return await new Promise<PromtoolResult>((resolve, reject) => {
      execFile(PROMTOOL, args, { cwd: dir, timeout: 60_000 }, (err, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        if (err && (err as NodeJS.ErrnoException).code === "ENOENT") {
          reject(new Error(`promtool not found (${PROMTOOL}): install Debian's "prometheus" package (apt-get install prometheus), or set PROMTOOL to its path`));
          return;
        }
        resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, output });
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
