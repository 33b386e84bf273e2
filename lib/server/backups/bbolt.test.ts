/**
 * The revision reader against bbolt files laid out byte by byte after go.etcd.io/bbolt's format
 * (page header: id u64, flags u16, count u16, overflow u32; meta; branch and leaf elements of 16
 * bytes; bucket values {root u64, sequence u64}, inline when root is 0).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { snapshotRevision } from "./bbolt";

const PS = 4096;

function header(id: number, flags: number, count: number, overflow = 0): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64LE(BigInt(id), 0);
  b.writeUInt16LE(flags, 8);
  b.writeUInt16LE(count, 10);
  b.writeUInt32LE(overflow, 12);
  return b;
}

function meta(id: number, root: number, txid: number): Buffer {
  const m = Buffer.alloc(64);
  m.writeUInt32LE(0xed0cdaed, 0);
  m.writeUInt32LE(2, 4);
  m.writeUInt32LE(PS, 8);
  m.writeBigUInt64LE(BigInt(root), 16);
  m.writeBigUInt64LE(BigInt(txid), 48);
  return Buffer.concat([header(id, 0x04, 0), m]);
}

function leaf(id: number, items: { key: Buffer; value: Buffer; bucket?: boolean }[]): Buffer {
  const els = Buffer.alloc(items.length * 16);
  const data: Buffer[] = [];
  let dataOff = items.length * 16;
  items.forEach((it, i) => {
    const e = i * 16;
    els.writeUInt32LE(it.bucket ? 1 : 0, e);
    els.writeUInt32LE(dataOff - e, e + 4);
    els.writeUInt32LE(it.key.length, e + 8);
    els.writeUInt32LE(it.value.length, e + 12);
    data.push(it.key, it.value);
    dataOff += it.key.length + it.value.length;
  });
  return Buffer.concat([header(id, 0x02, items.length), els, ...data]);
}

function branch(id: number, items: { key: Buffer; pgid: number }[]): Buffer {
  const els = Buffer.alloc(items.length * 16);
  const data: Buffer[] = [];
  let dataOff = items.length * 16;
  items.forEach((it, i) => {
    const e = i * 16;
    els.writeUInt32LE(dataOff - e, e);
    els.writeUInt32LE(it.key.length, e + 4);
    els.writeBigUInt64LE(BigInt(it.pgid), e + 8);
    data.push(it.key);
    dataOff += it.key.length;
  });
  return Buffer.concat([header(id, 0x01, items.length), els, ...data]);
}

function rev(main: number, sub: number): Buffer {
  const b = Buffer.alloc(17);
  b.writeBigUInt64BE(BigInt(main), 0);
  b[8] = 0x5f;
  b.writeBigUInt64BE(BigInt(sub), 9);
  return b;
}

function bucket(root: number, inline?: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h.writeBigUInt64LE(BigInt(root), 0);
  return inline ? Buffer.concat([h, inline]) : h;
}

function file(pages: Buffer[]): string {
  const out = Buffer.alloc(pages.length * PS);
  pages.forEach((p, i) => p.copy(out, i * PS));
  const f = path.join(mkdtempSync(path.join(tmpdir(), "minos-bbolt-")), "db");
  // etcd appends a sha256 to a snapshot; the reader must not mind trailing bytes.
  writeFileSync(f, Buffer.concat([out, Buffer.alloc(32, 7)]));
  return f;
}

const v = Buffer.from("value");
const empty = leaf(0, []);

describe("snapshot revision (bbolt)", () => {
  it("walks the current meta's root to the `key` bucket and takes the main revision of its last key", async () => {
    const f = file([
      meta(0, 3, 1), // older meta, pointing at a stale root
      meta(1, 2, 2),
      leaf(2, [
        { key: Buffer.from("alarm"), value: bucket(0, empty), bucket: true },
        { key: Buffer.from("key"), value: bucket(4), bucket: true },
        { key: Buffer.from("meta"), value: bucket(0, empty), bucket: true },
      ]),
      leaf(3, [{ key: Buffer.from("key"), value: bucket(0, leaf(0, [{ key: rev(2, 0), value: v }])), bucket: true }]),
      branch(4, [
        { key: rev(1, 0), pgid: 5 },
        { key: rev(7, 0), pgid: 6 },
      ]),
      leaf(5, [
        { key: rev(1, 0), value: v },
        { key: rev(5, 0), value: v },
      ]),
      leaf(6, [
        { key: rev(7, 0), value: v },
        { key: rev(9, 1), value: v },
      ]),
    ]);
    expect(await snapshotRevision(f)).toBe(9);
  });

  it("reads an inline `key` bucket, and finds `key` through a branch of the root", async () => {
    const f = file([
      meta(0, 2, 5),
      meta(1, 2, 4),
      branch(2, [
        { key: Buffer.from("alarm"), pgid: 3 },
        { key: Buffer.from("lease"), pgid: 4 },
      ]),
      leaf(3, [
        { key: Buffer.from("alarm"), value: bucket(0, empty), bucket: true },
        { key: Buffer.from("key"), value: bucket(0, leaf(0, [{ key: rev(3, 0), value: v }, { key: rev(4193, 0), value: v }])), bucket: true },
      ]),
      leaf(4, [{ key: Buffer.from("lease"), value: bucket(0, empty), bucket: true }]),
    ]);
    expect(await snapshotRevision(f)).toBe(4193);
  });

  it("is null for a file that is not bbolt, and for one without a `key` bucket", async () => {
    const junk = path.join(mkdtempSync(path.join(tmpdir(), "minos-bbolt-")), "junk");
    writeFileSync(junk, Buffer.alloc(10_000, 1));
    expect(await snapshotRevision(junk)).toBeNull();
    expect(await snapshotRevision(file([meta(0, 2, 1), meta(1, 2, 1), leaf(2, [{ key: Buffer.from("meta"), value: bucket(0, empty), bucket: true }])]))).toBeNull();
  });
});
