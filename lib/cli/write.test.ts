import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { emptyPlan, type OutputPlan } from "./common";
import { findConflicts, writePlanFiles } from "./write";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "minos-cli-write-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const plan = (...files: [string, string, boolean][]): OutputPlan => ({
  ...emptyPlan(),
  files: files.map(([p, data, noClobber]) => ({ path: p, data, mode: 0o644, noClobber, announce: false })),
});

describe("findConflicts", () => {
  it("reports every existing no-clobber file with talosctl's text, none when forced", async () => {
    writeFileSync(path.join(dir, "controlplane.yaml"), "old");
    writeFileSync(path.join(dir, "talosconfig"), "old");
    const p = plan(["controlplane.yaml", "new", true], ["worker.yaml", "new", true], ["talosconfig", "new", true]);
    const errors = await findConflicts(p, { force: false, baseDir: dir });
    expect(errors.map((e) => e.message)).toEqual([
      'file "controlplane.yaml" already exists, use --force to overwrite',
      'file "talosconfig" already exists, use --force to overwrite',
    ]);
    expect(await findConflicts(p, { force: true, baseDir: dir })).toEqual([]);
  });

  it("lets patch/migrate outputs replace a file, never a directory", async () => {
    writeFileSync(path.join(dir, "out.yaml"), "old");
    mkdirSync(path.join(dir, "d"));
    expect(await findConflicts(plan(["out.yaml", "x", false]), { force: false, baseDir: dir })).toEqual([]);
    const errors = await findConflicts(plan(["d", "x", false]), { force: true, baseDir: dir });
    expect(errors.map((e) => e.message)).toEqual(["is a directory"]);
  });
});

describe("writePlanFiles", () => {
  it("creates parent directories, sets the mode whatever the umask, leaves no temp file", async () => {
    const p = emptyPlan();
    p.files.push({ path: "a/b/secrets.yaml", data: "s: 1\n", mode: 0o600, noClobber: true, announce: false });
    p.files.push({ path: "a/worker.yaml", data: "w: 1\n", mode: 0o644, noClobber: true, announce: false });
    const old = process.umask(0o077);
    try {
      await writePlanFiles(p, dir);
    } finally {
      process.umask(old);
    }
    expect(readFileSync(path.join(dir, "a/b/secrets.yaml"), "utf8")).toBe("s: 1\n");
    expect(statSync(path.join(dir, "a/b/secrets.yaml")).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, "a/worker.yaml")).mode & 0o777).toBe(0o644);
    expect(readdirSync(path.join(dir, "a")).sort()).toEqual(["b", "worker.yaml"]);
  });

  it("writes nothing when one file cannot be written", async () => {
    writeFileSync(path.join(dir, "blocker"), "a file where a directory is needed");
    const p = plan(["first.yaml", "1", true], ["blocker/second.yaml", "2", true]);
    await expect(writePlanFiles(p, dir)).rejects.toThrow(/cannot write/);
    expect(readdirSync(dir)).toEqual(["blocker"]);
  });
});
