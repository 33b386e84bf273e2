import { execFileSync } from "node:child_process";
import {
  chmodSync,
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { SourceError } from "@/lib/talos/errors";

import { emptyPlan, type OutputPlan } from "./common";
import { findConflicts, writePlanFiles } from "./write";

// A rename that fails for chosen targets: the one failure a test cannot arrange on disk after
// every check passed (root ignores permissions, and the targets are checked just before).
const failRenameTo = new Set<string>();
vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  const rename: typeof actual.rename = async (from, to) => {
    if (failRenameTo.has(path.basename(String(to)))) throw Object.assign(new Error("injected"), { code: "EIO" });
    return actual.rename(from, to);
  };
  return { ...actual, default: { ...actual, rename }, rename };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "minos-cli-write-"));
});
afterEach(() => {
  failRenameTo.clear();
  rmSync(dir, { recursive: true, force: true });
});

async function withUmask<T>(mask: number, fn: () => Promise<T>): Promise<T> {
  const old = process.umask(mask);
  try {
    return await fn();
  } finally {
    process.umask(old);
  }
}
const modeOf = (p: string) => statSync(path.join(dir, p)).mode & 0o777;

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

  it("finds two outputs that are one file through a symlink", async () => {
    writeFileSync(path.join(dir, "a.yaml"), "old");
    symlinkSync("a.yaml", path.join(dir, "link.yaml"));
    const errors = await findConflicts(plan(["a.yaml", "1", false], ["link.yaml", "2", false], ["new/b.yaml", "3", false]), { force: true, baseDir: dir });
    expect(errors.map((e) => e.message)).toEqual(['two outputs would be written to "link.yaml"']);
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
  it("creates parent directories, asks open(2) for the mode so the umask applies, leaves no temp file", async () => {
    const p = emptyPlan();
    p.files.push({ path: "a/b/secrets.yaml", data: "s: 1\n", mode: 0o600, noClobber: true, announce: false });
    p.files.push({ path: "a/worker.yaml", data: "w: 1\n", mode: 0o644, noClobber: true, announce: false });
    await withUmask(0o077, () => writePlanFiles(p, dir));
    expect(readFileSync(path.join(dir, "a/b/secrets.yaml"), "utf8")).toBe("s: 1\n");
    expect(modeOf("a/b/secrets.yaml")).toBe(0o600);
    // talosctl's os.WriteFile(…, 0o644) under umask 077: 0600, not a forced 0644.
    expect(modeOf("a/worker.yaml")).toBe(0o600);
    expect(readdirSync(path.join(dir, "a")).sort()).toEqual(["b", "worker.yaml"]);
    await withUmask(0o022, () => writePlanFiles(plan(["c.yaml", "c", true]), dir));
    expect(modeOf("c.yaml")).toBe(0o644);
  });

  it("keeps an existing file's mode, as truncating it in place would", async () => {
    writeFileSync(path.join(dir, "x.yaml"), "old");
    chmodSync(path.join(dir, "x.yaml"), 0o600);
    writeFileSync(path.join(dir, "y.yaml"), "old");
    chmodSync(path.join(dir, "y.yaml"), 0o664);
    await withUmask(0o022, () => writePlanFiles(plan(["x.yaml", "new x", false], ["y.yaml", "new y", false]), dir));
    expect(readFileSync(path.join(dir, "x.yaml"), "utf8")).toBe("new x");
    expect(modeOf("x.yaml")).toBe(0o600);
    expect(modeOf("y.yaml")).toBe(0o664);
  });

  it("gives a file asking for its exact mode that mode even when it existed wider (secrets)", async () => {
    writeFileSync(path.join(dir, "m.yaml"), "old\n", { mode: 0o644 });
    chmodSync(path.join(dir, "m.yaml"), 0o644);
    await writePlanFiles({ files: [{ path: "m.yaml", data: "secret\n", mode: 0o600, exactMode: true, noClobber: false, announce: false }], stdout: "", stderr: "" }, dir);
    expect(modeOf("m.yaml")).toBe(0o600);
    expect(readFileSync(path.join(dir, "m.yaml"), "utf8")).toBe("secret\n");
  });

  it("writes through a symlink: the real file is replaced, the link stays", async () => {
    mkdirSync(path.join(dir, "real"));
    writeFileSync(path.join(dir, "real/config.yaml"), "old");
    chmodSync(path.join(dir, "real/config.yaml"), 0o600);
    symlinkSync("real/config.yaml", path.join(dir, "link.yaml"));
    symlinkSync("link.yaml", path.join(dir, "link2.yaml"));
    // A dangling link: the file is created where it points, as open(2) would.
    symlinkSync("real/new.yaml", path.join(dir, "dangling.yaml"));
    await writePlanFiles(plan(["link2.yaml", "new", false], ["dangling.yaml", "fresh", false]), dir);
    expect(lstatSync(path.join(dir, "link.yaml")).isSymbolicLink()).toBe(true);
    expect(lstatSync(path.join(dir, "link2.yaml")).isSymbolicLink()).toBe(true);
    expect(lstatSync(path.join(dir, "dangling.yaml")).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(dir, "real/config.yaml"), "utf8")).toBe("new");
    expect(readFileSync(path.join(dir, "real/new.yaml"), "utf8")).toBe("fresh");
    expect(modeOf("real/config.yaml")).toBe(0o600);
    expect(readdirSync(path.join(dir, "real")).sort()).toEqual(["config.yaml", "new.yaml"]);
  });

  it("writes into a FIFO (through a link too) instead of replacing it", async () => {
    const fifo = path.join(dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    symlinkSync("pipe", path.join(dir, "to-pipe"));
    // A non-blocking reader: the writer's open(2) finds it, and the read cannot hang the test.
    const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      await writePlanFiles(plan(["to-pipe", "through the pipe\n", false]), dir);
      const buf = Buffer.alloc(64);
      const n = readSync(fd, buf, 0, buf.length, null);
      expect(buf.subarray(0, n).toString()).toBe("through the pipe\n");
    } finally {
      closeSync(fd);
    }
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["pipe", "to-pipe"]);
  });

  it("writes into a /proc descriptor link (-o /dev/stdout) instead of replacing the file behind it", async () => {
    const out = path.join(dir, "redirected.txt");
    writeFileSync(out, "earlier output\n");
    const fd = openSync(out, "a");
    const inode = statSync(out).ino;
    try {
      await writePlanFiles(plan([`/proc/self/fd/${fd}`, "config\n", false]), dir);
    } finally {
      closeSync(fd);
    }
    // O_TRUNC through the descriptor's file, same inode: what a shell's `>` file would see.
    expect(statSync(out).ino).toBe(inode);
    expect(readFileSync(out, "utf8")).toBe("config\n");
    expect(readdirSync(dir)).toEqual(["redirected.txt"]);
  });

  it("a failed rename removes every remaining temp file and says which files were already replaced", async () => {
    writeFileSync(path.join(dir, "a.yaml"), "old a");
    writeFileSync(path.join(dir, "b.yaml"), "old b");
    failRenameTo.add("b.yaml");
    const p = plan(["a.yaml", "new a", false], ["b.yaml", "new b", false], ["c.yaml", "new c", false]);
    const err = await writePlanFiles(p, dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).message).toBe("cannot replace: EIO (already replaced: a.yaml)");
    expect((err as SourceError).place.source).toBe("b.yaml");
    expect(readdirSync(dir).sort()).toEqual(["a.yaml", "b.yaml"]);
    expect(readFileSync(path.join(dir, "a.yaml"), "utf8")).toBe("new a");
    expect(readFileSync(path.join(dir, "b.yaml"), "utf8")).toBe("old b");
  });

  it("a failed first rename replaces nothing", async () => {
    failRenameTo.add("a.yaml");
    await expect(writePlanFiles(plan(["a.yaml", "a", true], ["b.yaml", "b", true]), dir)).rejects.toThrow(/^cannot replace: EIO$/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("writes nothing when one file cannot be written", async () => {
    writeFileSync(path.join(dir, "blocker"), "a file where a directory is needed");
    const p = plan(["first.yaml", "1", true], ["blocker/second.yaml", "2", true]);
    await expect(writePlanFiles(p, dir)).rejects.toThrow(/cannot write/);
    expect(readdirSync(dir)).toEqual(["blocker"]);
  });
});
