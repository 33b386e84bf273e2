import "server-only";

import { createHash, type Hash } from "node:crypto";

/**
 * etcd ends every snapshot stream with the sha256 of the bytes before it (etcd's maintenance
 * Snapshot sends it as the last blob; `etcdutl snapshot restore` and `talosctl bootstrap
 * --recover-from` check it). Talos's EtcdSnapshot passes the stream through, and its chunker ends
 * the stream quietly when the context is cancelled: a snapshot cut short looks like a clean end.
 * Fed chunk by chunk, this keeps the whole file's sha256 and checks that trailer at the end.
 */
export class SnapshotChecksum {
  private readonly whole: Hash = createHash("sha256");
  private readonly body: Hash = createHash("sha256");
  /** The last (up to) 32 bytes seen: not yet known to be body or trailer. */
  private tail = Buffer.alloc(0);
  size = 0;

  update(chunk: Buffer): void {
    this.whole.update(chunk);
    this.size += chunk.length;
    const joined = this.tail.length ? Buffer.concat([this.tail, chunk]) : chunk;
    const keep = Math.min(32, joined.length);
    this.body.update(joined.subarray(0, joined.length - keep));
    this.tail = Buffer.from(joined.subarray(joined.length - keep));
  }

  /** The sha256 of every byte, and whether the stream ends with etcd's sha256 of the rest. */
  finish(): { sha256: string; etcdChecksumOk: boolean } {
    const sha256 = this.whole.digest("hex");
    const etcdChecksumOk = this.tail.length === 32 && this.body.digest().equals(this.tail);
    return { sha256, etcdChecksumOk };
  }
}

/** The sentence for a snapshot whose etcd checksum is missing or wrong. */
export function checksumFailure(size: number): string {
  return `The snapshot (${size} bytes) does not end with etcd's sha256 of its contents: the stream was cut short or the data is damaged. It is not a usable backup`;
}
