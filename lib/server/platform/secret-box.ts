import "server-only";

import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

import { AppError } from "@/lib/server/platform/errors";
import { processState } from "@/lib/server/platform/process-state";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM for machine configs at rest (they hold the cluster's CA keys and join tokens).
 * Each value is sealed with a fresh IV and bound to `context` (the node ID) as associated
 * data, so a sealed config copied onto another node's row fails to open instead of being
 * pushed to the wrong machine.
 */
export class SecretBox {
  /** A short fingerprint of the key, stored beside each value to tell "wrong key" from "corrupt". */
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error("SecretBox needs a 32-byte key");
    this.keyId = createHash("sha256").update("minos-secret-box:").update(key).digest("hex").slice(0, 16);
  }

  /** `v1:<base64(iv | tag | ciphertext)>`. */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`;
  }

  /** @throws AppError `misconfigured` when the value was sealed under another key or altered. */
  open(sealed: string, context: string, keyId?: string): string {
    if (keyId !== undefined && keyId !== this.keyId) {
      throw new AppError("misconfigured", `This config was encrypted under another key (${keyId}); set MINOS_SECRET_KEY to the key it was written with`);
    }
    const [version, payload] = sealed.split(":", 2);
    if (version !== VERSION || !payload) throw new AppError("internal", "Unknown encrypted config format");
    const raw = Buffer.from(payload, "base64");
    const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
    } catch (e) {
      throw new AppError("misconfigured", "An encrypted config failed its integrity check (wrong key or altered data)", { cause: e });
    }
  }
}

/** Decodes MINOS_SECRET_KEY: 64 hex digits or base64 of 32 bytes. */
export function parseSecretKey(value: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, "hex") : Buffer.from(value, "base64");
  if (key.length !== 32) throw new AppError("misconfigured", "MINOS_SECRET_KEY must be 32 bytes (64 hex digits or base64)");
  return key;
}

/**
 * The key from `<stateDir>/secret.key`, created on first use with mode 0600. A key file that
 * others can read is tightened to 0600 (and said so in the log) rather than refused: refusing
 * would lock the operator out of their own history.
 */
export function loadOrCreateKeyFile(file: string): Buffer {
  try {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) {
      console.warn(`[minos] ${file} was readable by others (mode ${mode.toString(8)}); setting it to 0600`);
      chmodSync(file, 0o600);
    }
    return parseSecretKey(readFileSync(file, "utf8").trim());
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  try {
    // "wx": if another process won the race, use its key rather than overwrite it.
    writeFileSync(file, `${key.toString("hex")}\n`, { mode: 0o600, flag: "wx" });
    return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return parseSecretKey(readFileSync(file, "utf8").trim());
    throw e;
  }
}

const g = processState<{ __minosSecretBox?: SecretBox }>();

/** The process's SecretBox: MINOS_SECRET_KEY, else the generated key file in the state dir. */
export function getSecretBox(env: { MINOS_SECRET_KEY?: string; MINOS_STATE_DIR: string }): SecretBox {
  g.__minosSecretBox ??= new SecretBox(
    env.MINOS_SECRET_KEY ? parseSecretKey(env.MINOS_SECRET_KEY) : loadOrCreateKeyFile(path.resolve(env.MINOS_STATE_DIR, "secret.key")),
  );
  return g.__minosSecretBox;
}
