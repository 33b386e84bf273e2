import "server-only";

import { pipeline, Readable } from "node:stream";
import { createGunzip } from "node:zlib";

import { extract } from "tar-stream";

import { AppError } from "@/lib/server/platform/errors";

/**
 * Reads one regular file out of a tar.gz, as Talos sends files (Copy, Kubeconfig): the archive
 * is gunzipped and walked entry by entry, and both the uncompressed archive and the file are
 * bounded, so a hostile or broken node cannot make Minos inflate a bomb into memory.
 * @returns the file's bytes, or null when the archive has no such entry.
 * @throws AppError internal when the archive is not a tar.gz or goes past `maxBytes`.
 */
export async function readTarGzEntry(archive: Buffer, name: string, maxBytes: number, node?: string): Promise<Buffer | null> {
  const gunzip = createGunzip();
  const tar = extract();
  let inflated = 0;
  const limit = () => new AppError("internal", `The archive from the node is larger than ${maxBytes} bytes once uncompressed`, { node });
  gunzip.on("data", (chunk: Buffer) => {
    // The whole archive, headers and other entries included, counts towards the bound.
    inflated += chunk.length;
    if (inflated > maxBytes + 64 * 1024) gunzip.destroy(limit());
  });
  // pipeline, not pipe: a gunzip error (not a gzip, truncated) must reach the loop below.
  pipeline(Readable.from([archive]), gunzip, tar, () => {});
  let found: Buffer | null = null;
  try {
    for await (const entry of tar) {
      const h = entry.header;
      if (found === null && h.type === "file" && h.name.replace(/^\.\//, "") === name) {
        if (h.size !== undefined && h.size > maxBytes) throw limit();
        const parts: Buffer[] = [];
        let size = 0;
        for await (const chunk of entry as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > maxBytes) throw limit();
          parts.push(chunk);
        }
        found = Buffer.concat(parts);
      } else {
        entry.resume();
      }
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError("internal", `The node's archive could not be read: ${(e as Error).message}`, { node, cause: e });
  } finally {
    gunzip.destroy();
    tar.destroy();
  }
  return found;
}
