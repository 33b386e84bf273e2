/**
 * Brotli for the build's static assets. Next compresses every response with gzip on the fly
 * (`compress`), never with brotli; for the hashed, immutable files under `/_next/static` brotli
 * at its highest quality is ~14 % smaller than gzip, but far too slow to run per request. So the
 * build writes `<file>.br` beside each script and stylesheet once (next.config.ts runs
 * `precompressStatic` after the compile), and Minos's server answers a browser that accepts br
 * with that file; anything else (no `.br`, no br in Accept-Encoding, other paths) goes to Next
 * as before.
 */
import { createReadStream } from "node:fs";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { brotliCompress, constants } from "node:zlib";

const compress = promisify(brotliCompress);

const PREFIX = "/_next/static/";
const TYPES: Record<string, string> = {
  ".js": "application/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};
/** Below this the headers outweigh what compression saves (Next's own threshold is 1 KiB). */
const MIN_BYTES = 1024;

/**
 * Writes `<file>.br` for every script and stylesheet under `<distDir>/static` that has none yet
 * (or an older one), at brotli's highest quality. Returns how many it wrote.
 */
export async function precompressStatic(distDir: string): Promise<number> {
  const root = path.join(distDir, "static");
  let written = 0;
  for (const file of await listFiles(root)) {
    if (!(path.extname(file) in TYPES)) continue;
    const source = await stat(file);
    if (source.size < MIN_BYTES) continue;
    const existing = await stat(`${file}.br`).catch(() => null);
    if (existing && existing.mtimeMs >= source.mtimeMs) continue;
    const data = await readFile(file);
    const br = await compress(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    });
    // A file brotli cannot shrink is left to Next.
    if (br.length >= data.length) continue;
    await writeFile(`${file}.br`, br);
    written++;
  }
  return written;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : Promise.resolve([path.join(dir, e.name)]))));
  return nested.flat();
}

/** Whether Accept-Encoding admits br (a `br;q=0` refuses it). */
export function acceptsBrotli(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(",") : (header ?? "");
  return value.split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (coding?.trim() !== "br") return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return !q || Number(q.slice(2)) > 0;
  });
}

interface Found {
  file: string;
  size: number;
  etag: string;
  type: string;
}

/**
 * A request handler for `/_next/static/*` with a `.br` beside the file: it answers and returns
 * true, or returns false and leaves the request to Next. `headers` are added to every answer
 * (the security headers next.config.ts gives all responses).
 */
export function staticBrotliHandler(distDir: string, headers: { key: string; value: string }[]) {
  const root = path.resolve(distDir, "static");
  // The build's files never change under a running server: a file found once is found. Misses
  // are not kept (any URL can be asked for; the map must not grow with them).
  const found = new Map<string, Found>();

  async function lookup(pathname: string): Promise<Found | null> {
    const known = found.get(pathname);
    if (known) return known;
    const hit = await locate(root, pathname);
    if (hit) found.set(pathname, hit);
    return hit;
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const url = req.url ?? "";
    if (!url.startsWith(PREFIX) || !acceptsBrotli(req.headers["accept-encoding"])) return false;
    const pathname = url.split("?")[0]!;
    const hit = await lookup(pathname);
    if (!hit) return false;
    for (const { key, value } of headers) res.setHeader(key, value);
    res.setHeader("Cache-Control", "public, max-age=31536000, immutable");
    res.setHeader("Content-Type", hit.type);
    res.setHeader("Vary", "Accept-Encoding");
    res.setHeader("ETag", hit.etag);
    if (req.headers["if-none-match"] === hit.etag) {
      res.statusCode = 304;
      res.end();
      return true;
    }
    res.setHeader("Content-Encoding", "br");
    res.setHeader("Content-Length", hit.size);
    res.statusCode = 200;
    if (req.method === "HEAD") {
      res.end();
      return true;
    }
    // pipeline settles on every end: done, a read error, or a browser that went away mid-file.
    await pipeline(createReadStream(hit.file), res).catch(() => res.destroy());
    return true;
  };
}

async function locate(root: string, pathname: string): Promise<Found | null> {
  let relative: string;
  try {
    relative = decodeURIComponent(pathname.slice(PREFIX.length));
  } catch {
    return null;
  }
  const file = path.resolve(root, relative);
  // Nothing outside the static directory, whatever `..` or encoded separators the URL holds.
  if (!file.startsWith(root + path.sep) || relative.includes("\0")) return null;
  const type = TYPES[path.extname(file)];
  if (!type) return null;
  const [source, br] = await Promise.all([stat(file).catch(() => null), stat(`${file}.br`).catch(() => null)]);
  if (!source?.isFile() || !br?.isFile() || br.mtimeMs < source.mtimeMs) return null;
  return { file: `${file}.br`, size: br.size, etag: `"br-${br.size.toString(16)}-${Math.floor(br.mtimeMs).toString(16)}"`, type };
}
