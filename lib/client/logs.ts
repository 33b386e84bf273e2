import { errorEnvelopeSchema } from "@/lib/schemas/error";
import { CLIENT_MAX_LINES, KERNEL_LOG, type NodeEvent } from "@/lib/schemas/logs";

import { ApiError } from "./api";

/** The API path of a pane's stream: a service's log, or the kernel log for {@link KERNEL_LOG}. */
export function logStreamPath(node: string, source: string, opts: { tail: number; follow: boolean }): string {
  const n = encodeURIComponent(node);
  if (source === KERNEL_LOG) return `/api/nodes/${n}/dmesg${opts.follow ? "?follow=1" : ""}`;
  const q = new URLSearchParams({ tail: String(opts.tail) });
  if (opts.follow) q.set("follow", "1");
  return `/api/nodes/${n}/logs/${encodeURIComponent(source)}?${q.toString()}`;
}

/**
 * The last `max` lines of a stream, kept in one array with a moving start so that dropping the
 * oldest is O(1) amortised. `seq(i)` numbers lines from the stream's start, so a view can hold
 * its place while old lines drop off the top.
 */
export class LineBuffer {
  private lines: string[] = [];
  private start = 0;
  /** Lines dropped off the top since the stream began. */
  dropped = 0;

  constructor(readonly max = CLIENT_MAX_LINES) {}

  get length(): number {
    return this.lines.length - this.start;
  }

  /** The line at view index `i` (0 = the oldest kept). */
  at(i: number): string {
    return this.lines[this.start + i]!;
  }

  append(lines: readonly string[]): void {
    for (const l of lines) this.lines.push(l);
    const over = this.length - this.max;
    if (over > 0) {
      this.start += over;
      this.dropped += over;
    }
    // Compact once the dead head is as big as the live part: each line is copied at most once more.
    if (this.start > 0 && this.start >= this.max) {
      this.lines = this.lines.slice(this.start);
      this.start = 0;
    }
  }

  clear(): void {
    this.lines = [];
    this.start = 0;
    this.dropped = 0;
  }

  /** Every kept line, newline-terminated, for a download. */
  text(): string {
    const out: string[] = [];
    for (let i = this.start; i < this.lines.length; i++) out.push(this.lines[i]!, "\n");
    return out.join("");
  }
}

/** Where `query` occurs in `line`, case-insensitively, as [start, end) ranges; plain text, never a pattern. */
export function findMatches(line: string, query: string): [number, number][] {
  if (query === "") return [];
  const hay = line.toLowerCase();
  const needle = query.toLowerCase();
  const out: [number, number][] = [];
  for (let i = hay.indexOf(needle); i !== -1; i = hay.indexOf(needle, i + needle.length)) out.push([i, i + needle.length]);
  return out;
}

/** Splits decoded text into lines, holding a line cut between chunks until its newline comes. */
export class TextLineSplitter {
  private rest = "";

  push(text: string): string[] {
    const parts = (this.rest + text).split("\n");
    this.rest = parts.pop()!;
    return parts;
  }

  end(): string[] {
    const r = this.rest;
    this.rest = "";
    return r === "" ? [] : [r];
  }
}

/**
 * Reads a log stream from the Minos API, handing over lines as they come. Resolves when the
 * stream ends (the node closed it, or `signal` aborted). @throws ApiError for a refusal.
 */
export async function readLogStream(path: string, onLines: (lines: string[]) => void, signal: AbortSignal): Promise<void> {
  let res: Response;
  try {
    res = await fetch(path, { signal, headers: { accept: "text/plain" } });
  } catch (e) {
    if (signal.aborted) return;
    throw new ApiError(0, "network", `Minos did not answer: ${(e as Error).message}`);
  }
  if (!res.ok) {
    const envelope = errorEnvelopeSchema.safeParse(await res.json().catch(() => undefined));
    if (envelope.success) throw new ApiError(res.status, envelope.data.error.code, envelope.data.error.message, envelope.data.error.details);
    throw new ApiError(res.status, "internal", `HTTP ${res.status} from ${path}`);
  }
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const split = new TextLineSplitter();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const lines = split.push(value);
      if (lines.length > 0) onLines(lines);
    }
    const last = split.end();
    if (last.length > 0) onLines(last);
  } catch (e) {
    if (signal.aborted) return;
    throw new ApiError(0, "network", `The stream broke: ${(e as Error).message}`);
  } finally {
    reader.releaseLock();
  }
}

/** Events a node's live list keeps; older ones drop off the bottom. */
export const MAX_EVENTS = 200;

/** Adds events (newest first), skipping ids already listed (a reconnect replays the buffered tail). */
export function mergeEvents(list: readonly NodeEvent[], incoming: readonly NodeEvent[], max = MAX_EVENTS): NodeEvent[] {
  const seen = new Set(list.map((e) => e.id));
  const fresh: NodeEvent[] = [];
  for (const e of incoming) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    fresh.push(e);
  }
  if (fresh.length === 0) return list as NodeEvent[];
  return [...fresh.reverse(), ...list].slice(0, max);
}
