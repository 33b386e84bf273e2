import "server-only";

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A random secret of `bytes` bytes, base64url: 32 bytes is 256 bits, the size of every secret here. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** A short random ID for rows people refer to (users, tokens, links); not a secret. */
export function randomId(): string {
  return randomBytes(12).toString("base64url");
}

/**
 * SHA-256, hex. Enough for secrets that are themselves 256 random bits: nobody brute-forces
 * the preimage, so a slow password hash would only cost CPU on every request.
 */
export function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

/** Compares two strings without leaking where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
