/**
 * minos manifest export against an HTTP server answering what Minos answers
 * (test/cli/fake-minos.ts): redacted to standard output, revealed to a file only the owner reads.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { fakeIo, MANIFEST, minos, runMinos, TOKEN, startFakeMinos } from "@/test/cli/fake-minos";

import { parseExportArgs, runExport } from "./manifest-remote";

const fake = startFakeMinos();

describe("minos manifest export", () => {
  it("prints the redacted manifest, or returns the revealed one to write 0600", async () => {
    fake.handler = minos();
    const io = fakeIo();
    expect(await runExport(parseExportArgs(["sim-1"]), fake.client, io)).toEqual({ code: 0 });
    expect(io.stdout).toBe(MANIFEST);
    expect(io.stderr).toBe("minos manifest export: revision 3 of cluster sim-1 (secrets redacted)\n");
    expect(fake.seen[0]!.url).toBe("/api/clusters/sim-1/manifest");

    const revealed = await runExport(parseExportArgs(["sim-1", "-o", "m.yaml", "--reveal"]), fake.client, fakeIo());
    expect(revealed).toEqual({ code: 0, file: { path: "m.yaml", data: MANIFEST.replace("262144", "secret"), mode: 0o600, exactMode: true } });
    expect(fake.seen[1]!.url).toBe("/api/clusters/sim-1/manifest?reveal=1");

    // A viewer asking to reveal gets a redacted manifest (the server's rule): refused, nothing to write.
    fake.handler = () => ({ status: 200, body: { yaml: MANIFEST.replace('"262144"', "'******'"), revision: 3 } });
    const quiet = fakeIo();
    expect(await runExport(parseExportArgs(["sim-1", "-o", "m.yaml", "--reveal"]), fake.client, quiet)).toEqual({ code: 1 });
    expect(quiet.stderr).toBe("minos manifest export: the server redacted the secrets: --reveal needs an admin's token (nothing written)\n");

    fake.handler = minos();
    const missing = fakeIo();
    expect(await runExport(parseExportArgs(["nope"]), fake.client, missing)).toEqual({ code: 1 });
    expect(missing.stderr).toBe("minos manifest export: No route /api/clusters/nope/manifest (not_found, HTTP 404)\n");
  });
});


describe("bin/minos.mjs manifest export", { timeout: 60_000 }, () => {
  it("--reveal into a file that exists readable by others (a redacted export's 0644) leaves it 0600", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "minos-export-"));
    try {
      fake.handler = minos();
      const env = { MINOS_URL: fake.base, MINOS_TOKEN: TOKEN };
      const redacted = await runMinos(["manifest", "export", "sim-1", "-o", "m.yaml"], env, undefined, dir);
      expect(redacted.code).toBe(0);
      // Whatever this process's umask made it.
      chmodSync(path.join(dir, "m.yaml"), 0o644);

      const revealed = await runMinos(["manifest", "export", "sim-1", "-o", "m.yaml", "--reveal"], env, undefined, dir);
      expect(revealed.stderr).toBe("minos manifest export: revision 3 of cluster sim-1\n");
      expect(revealed.code).toBe(0);
      expect(readFileSync(path.join(dir, "m.yaml"), "utf8")).toContain("secret");
      expect(statSync(path.join(dir, "m.yaml")).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an error nothing expected (a symlink loop for -o) prints one plain line and exits 1", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "minos-export-"));
    try {
      symlinkSync("loop.yaml", path.join(dir, "loop.yaml"));
      fake.handler = minos();
      const r = await runMinos(["manifest", "export", "sim-1", "-o", "loop.yaml"], { MINOS_URL: fake.base, MINOS_TOKEN: TOKEN }, undefined, dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/\nminos manifest export: Error: ELOOP: too many symbolic links encountered, stat '.*loop\.yaml'\n$/);
      expect(r.stderr).not.toMatch(/\n +at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
