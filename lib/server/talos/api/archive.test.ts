import { gzipSync } from "node:zlib";

import { pack } from "tar-stream";
import { describe, expect, it } from "vitest";

import { readTarGzEntry } from "./archive";

/** A tar.gz as machined's Kubeconfig handler writes it (Go archive/tar + gzip). */
async function tarGz(files: Record<string, string | Buffer>): Promise<Buffer> {
  const p = pack();
  for (const [name, content] of Object.entries(files)) p.entry({ name, mode: 0o600 }, content);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

describe("readTarGzEntry", () => {
  it("reads the named file among others", async () => {
    const archive = await tarGz({ "other.txt": "x", kubeconfig: "apiVersion: v1\n" });
    expect((await readTarGzEntry(archive, "kubeconfig", 1024))?.toString()).toBe("apiVersion: v1\n");
  });

  it("returns null when the file is missing", async () => {
    expect(await readTarGzEntry(await tarGz({ "a.txt": "x" }), "kubeconfig", 1024)).toBeNull();
  });

  it("refuses a file beyond the bound", async () => {
    await expect(readTarGzEntry(await tarGz({ kubeconfig: Buffer.alloc(4096, 65) }), "kubeconfig", 1024)).rejects.toThrow(/larger than 1024 bytes/);
  });

  it("stops inflating a bomb: a small archive that inflates far past the bound", async () => {
    const archive = await tarGz({ filler: Buffer.alloc(8 * 1024 * 1024), kubeconfig: "x" });
    expect(archive.length).toBeLessThan(64 * 1024);
    await expect(readTarGzEntry(archive, "kubeconfig", 1024)).rejects.toThrow(/larger than 1024 bytes once uncompressed/);
  });

  it("reports what is not a tar.gz", async () => {
    await expect(readTarGzEntry(Buffer.from("not gzip at all"), "kubeconfig", 1024)).rejects.toMatchObject({ code: "internal" });
  });
});
