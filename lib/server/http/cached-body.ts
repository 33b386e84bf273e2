import "server-only";

import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { brotliCompress, constants as zlib, gzip } from "node:zlib";

import { ENCODING_RESPONSE_HEADER, RESTORES_ENCODING_HEADER } from "@/lib/net/content-encoding";
import { chooseEncoding, etagFor, ifNoneMatchHits, type ContentCoding } from "@/lib/server/http/conditional";

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * Levels picked for a large JSON body compressed once per version and then served many times:
 * brotli 4 and gzip 6 cost a few milliseconds for the 1,000-node snapshot (about 430 KiB) and
 * keep most of the gain of the slow levels (see scripts/nodes-http.bench.ts).
 */
const BROTLI_QUALITY = 4;
const GZIP_LEVEL = 6;

/**
 * One body and its codings: the identity bytes, their strong tag, and each compressed coding
 * made at most once (concurrent requests share the one compression in flight). Compression
 * runs on libuv's thread pool, so the event loop keeps answering meanwhile.
 */
export class CachedBody {
  readonly base: string;
  private readonly codings = new Map<ContentCoding, Promise<Uint8Array<ArrayBuffer>>>();
  private readonly done = new Map<ContentCoding, Uint8Array<ArrayBuffer>>();
  /** When this body was first seen. */
  readonly at = Date.now();

  constructor(readonly bytes: Uint8Array<ArrayBuffer>) {
    // A hash of the content, not a counter: equal bytes get equal tags on every replica behind a load balancer.
    this.base = createHash("sha256").update(bytes).digest("base64url").slice(0, 22);
  }

  etag(coding: ContentCoding | "identity"): string {
    return etagFor(this.base, coding);
  }

  encoded(coding: ContentCoding | "identity"): Promise<Uint8Array<ArrayBuffer>> {
    if (coding === "identity") return Promise.resolve(this.bytes);
    let p = this.codings.get(coding);
    if (!p) {
      const input = this.bytes;
      const made =
        coding === "br"
          ? brotli(input, { params: { [zlib.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT, [zlib.BROTLI_PARAM_SIZE_HINT]: input.byteLength } })
          : gzipAsync(input, { level: GZIP_LEVEL });
      p = made.then((b) => {
        const out = new Uint8Array(b.buffer, b.byteOffset, b.byteLength) as Uint8Array<ArrayBuffer>;
        this.done.set(coding, out);
        return out;
      });
      // A failed compression is not remembered: the next request tries again.
      p.catch(() => this.codings.delete(coding));
      this.codings.set(coding, p);
    }
    return p;
  }

  /** The coding's bytes if they are made already. */
  ready(coding: ContentCoding | "identity"): Uint8Array<ArrayBuffer> | undefined {
    return coding === "identity" ? this.bytes : this.done.get(coding);
  }
}

/** Bodies by their bytes' identity: a producer that caches its Uint8Array between changes gets one CachedBody per version. */
const byBytes = new WeakMap<Uint8Array, CachedBody>();
/**
 * The last few bodies by content: a producer that re-serialises unchanged data (a new array, the
 * same bytes) reuses the tag and the compressed codings instead of compressing again.
 */
const byContent = new Map<string, CachedBody>();
const BY_CONTENT_MAX = 8;

/** The CachedBody of `bytes` (one per distinct array, shared by arrays of equal content). */
export function cachedBody(bytes: Uint8Array<ArrayBuffer>): CachedBody {
  const known = byBytes.get(bytes);
  if (known) return known;
  let body = new CachedBody(bytes);
  const same = byContent.get(body.base);
  if (same && Buffer.compare(same.bytes, bytes) === 0) body = same;
  byContent.delete(body.base);
  byContent.set(body.base, body);
  if (byContent.size > BY_CONTENT_MAX) byContent.delete(byContent.keys().next().value!);
  byBytes.set(bytes, body);
  return body;
}

export interface RevalidatableOptions {
  contentType: string;
  /**
   * Names the stream of versions `bytes` belongs to (e.g. one cluster's node list). While a new
   * version's coding is still being compressed, a request asking for that coding gets the slot's
   * previous version in it (with its own tag; only during the new version's first
   * {@link STALE_WHILE_COMPRESSING_MS}) rather than waiting: fifty clients do not all stall behind each new version's compression.
   */
  slot?: string;
  /**
   * `private`: per caller (behind a session), so shared caches keep none; `no-cache`: the
   * browser keeps it but asks every time, and gets a 304 when nothing changed; `no-transform`:
   * the tag names these exact bytes, so nothing on the way (Next's own gzip included) re-encodes them.
   */
  cacheControl?: string;
}

/** For how long after a new version is first seen its slot's previous version may stand in while it compresses. */
export const STALE_WHILE_COMPRESSING_MS = 5_000;

/** Per slot and coding: the newest version whose coding is made (the most recently used few). */
const readyBySlot = new Map<string, CachedBody>();
const READY_BY_SLOT_MAX = 64;

function remember(key: string, body: CachedBody): void {
  readyBySlot.delete(key);
  readyBySlot.set(key, body);
  if (readyBySlot.size > READY_BY_SLOT_MAX) readyBySlot.delete(readyBySlot.keys().next().value!);
}

/**
 * `latest` if its coding is made; else its compression is started and the slot's previous
 * version stands in, during the first {@link STALE_WHILE_COMPRESSING_MS} of `latest`.
 */
function slotBody(slot: string, latest: CachedBody, coding: ContentCoding): CachedBody {
  const key = `${coding}\u0000${slot}`;
  if (latest.ready(coding)) {
    remember(key, latest);
    return latest;
  }
  latest.encoded(coding).then(
    () => remember(key, latest),
    () => undefined,
  );
  const previous = readyBySlot.get(key);
  return previous && previous !== latest && Date.now() - latest.at <= STALE_WHILE_COMPRESSING_MS ? previous : latest;
}

export const REVALIDATE_CACHE_CONTROL = "private, no-cache, no-transform";

/**
 * A GET answer for `bytes` that a client can revalidate: a strong ETag per coding, 304 when
 * If-None-Match names the current one, br or gzip when the client accepts it and the body is
 * large enough and the server restores Content-Encoding (see lib/net/content-encoding.ts). The
 * caller must have checked access already: a 304 tells that nothing changed.
 */
export async function revalidatableResponse(request: Request, bytes: Uint8Array<ArrayBuffer>, options: RevalidatableOptions): Promise<Response> {
  // Only where the server will send Content-Encoding on (lib/net/content-encoding.ts).
  const coding = request.headers.get(RESTORES_ENCODING_HEADER) === "1" ? chooseEncoding(request.headers.get("accept-encoding"), bytes.byteLength) : "identity";
  const body = options.slot && coding !== "identity" ? slotBody(options.slot, cachedBody(bytes), coding) : cachedBody(bytes);
  const etag = body.etag(coding);
  const headers: Record<string, string> = {
    etag,
    "cache-control": options.cacheControl ?? REVALIDATE_CACHE_CONTROL,
    vary: "Accept-Encoding",
  };
  if (ifNoneMatchHits(request.headers.get("if-none-match"), etag)) return new Response(null, { status: 304, headers });
  const encoded = await body.encoded(coding);
  headers["content-type"] = options.contentType;
  headers["content-length"] = String(encoded.byteLength);
  if (coding !== "identity") {
    headers["content-encoding"] = coding;
    headers[ENCODING_RESPONSE_HEADER] = coding;
  }
  return new Response(request.method === "HEAD" ? null : encoded, { headers });
}
