import "server-only";

/** A line longer than this is cut into pieces of this size, so one runaway line cannot hold memory. */
export const MAX_LINE_BYTES = 64 * 1024;

const NL = 0x0a;

/**
 * Cuts a byte stream into whole lines. Talos's log chunker sends reads of the log file as they
 * come (a chunk may end mid-line, or mid UTF-8 character), so bytes are held until their line
 * ends; Dmesg sends one kernel message per message, which `message()` closes as a line.
 * Output lines always end in `\n`. Held bytes never exceed {@link MAX_LINE_BYTES}.
 */
export class LineSplitter {
  private held: Buffer[] = [];
  private heldBytes = 0;

  constructor(private readonly maxLineBytes = MAX_LINE_BYTES) {}

  /** Whole lines completed by `chunk` (each ending in `\n`), as one buffer; empty when none. */
  push(chunk: Buffer): Buffer {
    const out: Buffer[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NL, start);
      const end = nl === -1 ? chunk.length : nl + 1;
      this.take(chunk.subarray(start, end), out);
      if (nl !== -1) this.flushHeld(out, false);
      start = end;
    }
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }

  /** One whole message (Dmesg): whatever is held plus `chunk`, ended with `\n` if it lacks one. */
  message(chunk: Buffer): Buffer {
    const lines = this.push(chunk);
    const rest = this.end();
    return rest.length === 0 ? lines : Buffer.concat([lines, rest]);
  }

  /** The unfinished last line, closed with `\n` (the stream ended); empty when none. */
  end(): Buffer {
    const out: Buffer[] = [];
    this.flushHeld(out, true);
    return out.length === 0 ? Buffer.alloc(0) : Buffer.concat(out);
  }

  private take(piece: Buffer, out: Buffer[]): void {
    let p = piece;
    while (this.heldBytes + p.length > this.maxLineBytes) {
      const room = this.maxLineBytes - this.heldBytes;
      this.held.push(p.subarray(0, room));
      this.heldBytes += room;
      this.flushHeld(out, true);
      p = p.subarray(room);
    }
    if (p.length > 0) {
      this.held.push(p);
      this.heldBytes += p.length;
    }
  }

  private flushHeld(out: Buffer[], addNewline: boolean): void {
    if (this.heldBytes === 0) return;
    const line = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldBytes);
    this.held = [];
    this.heldBytes = 0;
    // A slice of the gRPC message would pin the whole message in memory while it waits in the queue.
    out.push(Buffer.from(line));
    if (addNewline && line[line.length - 1] !== NL) out.push(Buffer.from("\n"));
  }
}
