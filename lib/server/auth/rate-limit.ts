import "server-only";

import { stampedClientAddress } from "@/lib/net/client-address";
import { processState } from "@/lib/server/platform/process-state";

/** A bucket's size and how fast it refills. */
export interface RateLimitPolicy {
  /** Requests allowed in a burst. */
  capacity: number;
  /** Tokens added back per second. */
  refillPerSecond: number;
}

/** Named policies routes refer to. */
export const RATE_LIMITS = {
  /** Sign-in ceremonies, one-time links: 10 at once, then one every 6 s per client. */
  signIn: { capacity: 10, refillPerSecond: 1 / 6 },
  /** Creating and revoking tokens, invitations and users. */
  manage: { capacity: 30, refillPerSecond: 1 / 2 },
  /** Wrong bearer tokens from one client before its wrong ones get 429 (valid tokens always pass). */
  badToken: { capacity: 10, refillPerSecond: 1 / 30 },
  /** Config templates, which hand out fresh key material (RSA-4096): 5 at once, then one every 12 s. */
  template: { capacity: 5, refillPerSecond: 1 / 12 },
} satisfies Record<string, RateLimitPolicy>;
export type RateLimitName = keyof typeof RATE_LIMITS;

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * In-process token buckets keyed by any string (client IP + endpoint). Pure apart from the
 * clock it is given; one per server process, which is what a single Minos instance is.
 */
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly maxKeys = 10_000) {}

  /** Takes one token from `key`'s bucket, refilling it for the time passed since the last take. */
  take(key: string, policy: RateLimitPolicy, nowMs: number): TakeResult {
    const b = this.buckets.get(key) ?? { tokens: policy.capacity, at: nowMs };
    const tokens = Math.min(policy.capacity, b.tokens + ((nowMs - b.at) / 1000) * policy.refillPerSecond);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: nowMs });
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / policy.refillPerSecond)) };
    }
    this.buckets.delete(key); // re-insert at the end: Map order doubles as least-recently-used order
    this.buckets.set(key, { tokens: tokens - 1, at: nowMs });
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    return { ok: true };
  }

  /** Whether `key` still has a token, without taking one. */
  peek(key: string, policy: RateLimitPolicy, nowMs: number): boolean {
    const b = this.buckets.get(key);
    if (!b) return true;
    return Math.min(policy.capacity, b.tokens + ((nowMs - b.at) / 1000) * policy.refillPerSecond) >= 1;
  }

  reset(): void {
    this.buckets.clear();
  }
}

const g = processState<{ __minosRateLimiter?: RateLimiter }>();

/** The process's limiter. */
export function rateLimiter(): RateLimiter {
  g.__minosRateLimiter ??= new RateLimiter();
  return g.__minosRateLimiter;
}

/**
 * The client's address, as Minos's server (`scripts/serve.ts`) computed it from the socket and,
 * behind a proxy in MINOS_TRUSTED_PROXIES, X-Forwarded-For. Never the caller's own headers:
 * without that server (a bare `next start`) every caller is "unknown" and shares one bucket.
 */
export function clientIp(headers: Headers): string {
  return stampedClientAddress(headers) ?? "unknown";
}
