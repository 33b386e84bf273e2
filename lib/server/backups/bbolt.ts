import "server-only";

import { open, type FileHandle } from "node:fs/promises";

/**
 * The etcd revision inside a snapshot, as `talosctl etcd snapshot` prints it ("snapshot info: …
 * revision N"): etcdutl's snapshot status reads the bbolt file and takes the main revision of the
 * last key of the `key` bucket (keys are revisions: 8 bytes main, `_`, 8 bytes sub, big-endian).
 * This reads just the pages on the path to that key (bbolt's on-disk format, go.etcd.io/bbolt
 * page.go and meta in db.go; little-endian as on every platform etcd ships for). Null when the
 * file is not a bbolt database or has no `key` bucket.
 */

const MAGIC = 0xed0cdaed;
const PAGE_HEADER = 16;
const BRANCH = 0x01;
const LEAF = 0x02;
const META = 0x04;
const BUCKET_LEAF = 0x01;
const ELEMENT = 16;
const MAX_DEPTH = 64;

interface Page {
  buf: Buffer;
  flags: number;
  count: number;
}

export async function snapshotRevision(file: string): Promise<number | null> {
  const fh = await open(file, "r");
  try {
    return await revisionFrom(fh);
  } finally {
    await fh.close();
  }
}

async function revisionFrom(fh: FileHandle): Promise<number | null> {
  const head = Buffer.alloc(4096);
  const { bytesRead } = await fh.read(head, 0, head.length, 0);
  if (bytesRead < PAGE_HEADER + 64) return null;
  const first = readMeta(head, 0);
  if (!first) return null;
  const pageSize = first.pageSize;
  // Two meta pages; the valid one with the higher transaction id is current.
  const secondBuf = await readAt(fh, pageSize, pageSize);
  const second = secondBuf ? readMeta(secondBuf, 0) : null;
  const meta = second && second.txid > first.txid ? second : first;
  const readPage = async (pgid: bigint): Promise<Page | null> => {
    const pos = Number(pgid) * pageSize;
    let buf = await readAt(fh, pos, pageSize);
    if (!buf) return null;
    const overflow = buf.readUInt32LE(12);
    if (overflow > 0) buf = await readAt(fh, pos, pageSize * (overflow + 1));
    if (!buf) return null;
    return { buf, flags: buf.readUInt16LE(8), count: buf.readUInt16LE(10) };
  };
  const keyBucket = await findInTree(readPage, await readPage(meta.root), Buffer.from("key"));
  if (!keyBucket || keyBucket.flags !== BUCKET_LEAF || keyBucket.value.length < 16) return null;
  const root = keyBucket.value.readBigUInt64LE(0);
  // An inline bucket (root 0) carries its one leaf page inside the value, after the header.
  const rootPage = root === 0n ? pageFrom(keyBucket.value.subarray(16)) : await readPage(root);
  const last = await lastInTree(readPage, rootPage);
  if (!last || last.length < 8) return null;
  return Number(last.readBigUInt64BE(0));
}

function readMeta(buf: Buffer, at: number): { pageSize: number; root: bigint; txid: bigint } | null {
  if (buf.length < at + PAGE_HEADER + 64) return null;
  if ((buf.readUInt16LE(at + 8) & META) === 0) return null;
  const m = at + PAGE_HEADER;
  if (buf.readUInt32LE(m) !== MAGIC || buf.readUInt32LE(m + 4) !== 2) return null;
  const pageSize = buf.readUInt32LE(m + 8);
  if (pageSize < 512 || pageSize > 1 << 20) return null;
  return { pageSize, root: buf.readBigUInt64LE(m + 16), txid: buf.readBigUInt64LE(m + 48) };
}

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer | null> {
  const buf = Buffer.alloc(len);
  const { bytesRead } = await fh.read(buf, 0, len, pos);
  return bytesRead === len ? buf : null;
}

function pageFrom(buf: Buffer): Page | null {
  return buf.length < PAGE_HEADER ? null : { buf, flags: buf.readUInt16LE(8), count: buf.readUInt16LE(10) };
}

function branchAt(p: Page, i: number): { key: Buffer; pgid: bigint } {
  const e = PAGE_HEADER + i * ELEMENT;
  const pos = p.buf.readUInt32LE(e);
  const ksize = p.buf.readUInt32LE(e + 4);
  return { key: p.buf.subarray(e + pos, e + pos + ksize), pgid: p.buf.readBigUInt64LE(e + 8) };
}

function leafAt(p: Page, i: number): { flags: number; key: Buffer; value: Buffer } {
  const e = PAGE_HEADER + i * ELEMENT;
  const flags = p.buf.readUInt32LE(e);
  const pos = p.buf.readUInt32LE(e + 4);
  const ksize = p.buf.readUInt32LE(e + 8);
  const vsize = p.buf.readUInt32LE(e + 12);
  return { flags, key: p.buf.subarray(e + pos, e + pos + ksize), value: p.buf.subarray(e + pos + ksize, e + pos + ksize + vsize) };
}

type ReadPage = (pgid: bigint) => Promise<Page | null>;

async function findInTree(readPage: ReadPage, page: Page | null, key: Buffer): Promise<{ flags: number; value: Buffer } | null> {
  for (let depth = 0; page && depth < MAX_DEPTH; depth++) {
    if (page.flags & LEAF) {
      for (let i = 0; i < page.count; i++) {
        const el = leafAt(page, i);
        if (el.key.equals(key)) return el;
      }
      return null;
    }
    if (!(page.flags & BRANCH) || page.count === 0) return null;
    // The last child whose first key is ≤ the key sought.
    let child = 0;
    for (let i = 0; i < page.count; i++) if (Buffer.compare(branchAt(page, i).key, key) <= 0) child = i;
    page = await readPage(branchAt(page, child).pgid);
  }
  return null;
}

async function lastInTree(readPage: ReadPage, page: Page | null): Promise<Buffer | null> {
  for (let depth = 0; page && depth < MAX_DEPTH; depth++) {
    if (page.count === 0) return null;
    if (page.flags & LEAF) return leafAt(page, page.count - 1).key;
    if (!(page.flags & BRANCH)) return null;
    page = await readPage(branchAt(page, page.count - 1).pgid);
  }
  return null;
}
