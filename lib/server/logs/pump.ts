import "server-only";

import { LineSplitter } from "./lines";

export interface LinePumpOptions {
  /**
   * How the source frames its bytes: `stream` (Logs: a byte stream cut anywhere) or `message`
   * (Dmesg: one kernel message per chunk).
   */
  framing: "stream" | "message";
  /** Bytes the response may hold unread before the pump stops reading the node. Default 256 KiB. */
  highWaterMark?: number;
  /**
   * A follower whose response stays full this long is cut, with a last line saying so: it
   * is not reading, and holding the node's stream open for it costs the node. Default 30 s.
   */
  maxStallMs?: number;
  /** Aborted when the response ends for any reason; the source must stop on it. */
  abort: AbortController;
  /** Called once when the stream ends: `done` (source ended), `cancelled` (client left), `stalled`, `failed`, `session` (see `session`). */
  onEnd?: (how: PumpEnd, error?: unknown) => void;
  /**
   * The reader's session, checked again every `everyMs` (default 30 s) while the stream is open:
   * a stream outlives the request that authorized it, so signing out, a revoked session or user,
   * or a role lowered below viewer must still end it. Ends with {@link SESSION_ENDED_LINE}.
   */
  session?: SessionRecheck;
  /** A line for a source that fails mid-stream (the status is already sent). */
  describeError?: (error: unknown) => string;
  setTimer?: (fn: () => void, ms: number) => { cancel(): void };
}

export type PumpEnd = "done" | "cancelled" | "stalled" | "failed" | "session";

export interface SessionRecheck {
  /** Whether the session that opened the stream still passes the route's check; false (or a throw) ends it. */
  stillAllowed(): Promise<boolean>;
  everyMs?: number;
}

/** The last line of a stream whose session no longer passes. */
export const SESSION_ENDED_LINE = "[minos] session ended\n";

/**
 * Runs `check.stillAllowed()` every `everyMs` until stopped; calls `onEnded` once when it fails
 * (a throw counts as a failure: a session that cannot be checked is not trusted).
 */
export function watchSession(check: SessionRecheck, onEnded: () => void, setTimer: NonNullable<LinePumpOptions["setTimer"]> = defaultTimer): { stop(): void } {
  let stopped = false;
  let timer: { cancel(): void } | null = null;
  const arm = () => {
    timer = setTimer(() => {
      void check
        .stillAllowed()
        .catch(() => false)
        .then((ok) => {
          if (stopped) return;
          if (ok) return arm();
          stopped = true;
          onEnded();
        });
    }, check.everyMs ?? 30_000);
  };
  arm();
  return {
    stop: () => {
      stopped = true;
      timer?.cancel();
    },
  };
}

const defaultTimer = (fn: () => void, ms: number) => {
  const t = setTimeout(fn, ms);
  t.unref?.();
  return { cancel: () => clearTimeout(t) };
};

/** The last line a cut stream gets; the browser shows it as it is. */
export const STALLED_LINE = "[minos] stream cut: the browser did not read it fast enough; reload to resume\n";

/**
 * The body of a logs response: lines from `source`, read only as fast as the response drains
 * (each `pull` reads one chunk, and the web stream pulls only below its high-water mark), so
 * memory per stream is bounded by `highWaterMark` plus one chunk, whatever the node sends.
 * gRPC flow control then holds the node's stream, and Talos reads its log only as we ask.
 * Cancelling the response aborts `abort`, which cancels the gRPC call at once.
 */
export function linesResponseBody(source: AsyncIterator<Buffer>, options: LinePumpOptions): ReadableStream<Uint8Array> {
  const { framing, highWaterMark = 256 * 1024, maxStallMs = 30_000, abort, onEnd, setTimer = defaultTimer } = options;
  const split = new LineSplitter();
  let ended = false;
  let stallTimer: { cancel(): void } | null = null;
  let ctrl: ReadableStreamDefaultController<Uint8Array> | null = null;

  let sessionWatch: { stop(): void } | null = null;

  const finish = (how: PumpEnd, error?: unknown) => {
    if (ended) return;
    ended = true;
    stallTimer?.cancel();
    stallTimer = null;
    sessionWatch?.stop();
    abort.abort();
    // Release the source too (a fake or a generator parked between chunks).
    void source.return?.().catch(() => {});
    onEnd?.(how, error);
  };

  const armStall = () => {
    stallTimer?.cancel();
    stallTimer = setTimer(() => {
      if (ended || !ctrl || (ctrl.desiredSize ?? 0) > 0) return;
      // The queue is full and has not drained since the last chunk: one more line, then the end.
      try {
        ctrl.enqueue(Buffer.from(STALLED_LINE));
        ctrl.close();
      } catch {
        // The consumer already went away.
      }
      finish("stalled");
    }, maxStallMs);
  };

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        ctrl = controller;
        // The request went away (or the caller gave up): end now, even if the source is slow to notice.
        const onAbort = () => {
          if (ended) return;
          try {
            controller.close();
          } catch {
            // Already closed or cancelled.
          }
          finish("cancelled");
        };
        if (abort.signal.aborted) onAbort();
        else abort.signal.addEventListener("abort", onAbort, { once: true });
        if (options.session && !ended) {
          sessionWatch = watchSession(
            options.session,
            () => {
              if (ended) return;
              // A partial line stays unsent: the reader gets whole lines, then why it ended.
              try {
                controller.enqueue(Buffer.from(SESSION_ENDED_LINE));
                controller.close();
              } catch {
                // The consumer already went away.
              }
              finish("session");
            },
            setTimer,
          );
        }
      },
      async pull(controller) {
        stallTimer?.cancel();
        stallTimer = null;
        // Keep reading until something is enqueued: a chunk may hold no whole line yet.
        for (;;) {
          let r: IteratorResult<Buffer>;
          try {
            r = await source.next();
          } catch (e) {
            if (ended) return;
            const rest = split.end();
            if (rest.length > 0) controller.enqueue(rest);
            if (!abort.signal.aborted) controller.enqueue(Buffer.from(`[minos] stream failed: ${options.describeError?.(e) ?? "the node ended the stream"}\n`));
            controller.close();
            finish("failed", e);
            return;
          }
          if (ended) return;
          if (r.done) {
            const rest = split.end();
            if (rest.length > 0) controller.enqueue(rest);
            controller.close();
            finish("done");
            return;
          }
          const out = framing === "message" ? split.message(r.value) : split.push(r.value);
          if (out.length === 0) continue;
          controller.enqueue(out);
          // Full after this chunk: if nobody drains it for maxStallMs, the reader is gone or stuck.
          if ((controller.desiredSize ?? 0) <= 0) armStall();
          return;
        }
      },
      cancel() {
        finish("cancelled");
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark }),
  );
}

/**
 * Waits for the source's first chunk, at most `waitMs`, so a refusal the node answers at once
 * (unknown container, permission, unreachable node) becomes an error response with its status
 * instead of a 200 with an error line. A follower with nothing buffered gets its headers after
 * `waitMs` and its first line whenever the node logs one. Returns an iterator that replays the
 * awaited chunk first. @throws what the source's first `next()` throws.
 */
export async function primeFirst<T>(source: AsyncIterator<T>, waitMs: number, setTimer = defaultTimer): Promise<AsyncIterator<T>> {
  const first = source.next();
  let timer: { cancel(): void } | null = null;
  const timedOut = new Promise<"waiting">((resolve) => {
    timer = setTimer(() => resolve("waiting"), waitMs);
  });
  // A rejection after the wait surfaces through the replaying iterator's first next().
  first.catch(() => {});
  let r: IteratorResult<T> | "waiting";
  try {
    r = await Promise.race([first, timedOut]);
  } finally {
    (timer as { cancel(): void } | null)?.cancel();
  }
  let replayed = false;
  return {
    next: () => {
      if (replayed) return source.next();
      replayed = true;
      return r === "waiting" ? first : Promise.resolve(r);
    },
    return: (value?: unknown) => source.return?.(value) ?? Promise.resolve({ done: true, value: undefined as T }),
  };
}
