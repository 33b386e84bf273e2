import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { loadOrCreateKeyFile, parseSecretKey, SecretBox } from "./secret-box";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "minos-secret-box-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("SecretBox", () => {
  const box = new SecretBox(Buffer.alloc(32, 7));
  const config = "machine:\n  token: abc.0123456789abcdef\n";

  it("round-trips, with a fresh IV each time and no plaintext in the sealed form", () => {
    const a = box.seal(config, "n1");
    const b = box.seal(config, "n1");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1:[A-Za-z0-9+/=]+$/);
    expect(Buffer.from(a.slice(3), "base64").toString("latin1")).not.toContain("abc.0123");
    expect(box.open(a, "n1", box.keyId)).toBe(config);
  });

  it("refuses another node's value, a tampered value and another key", () => {
    const sealed = box.seal(config, "n1");
    expect(() => box.open(sealed, "n2")).toThrow(/integrity/);
    const raw = Buffer.from(sealed.slice(3), "base64");
    raw[raw.length - 1]! ^= 1;
    expect(() => box.open(`v1:${raw.toString("base64")}`, "n1")).toThrow(/integrity/);
    const other = new SecretBox(Buffer.alloc(32, 8));
    expect(() => other.open(sealed, "n1", box.keyId)).toThrow(/another key/);
  });

  it("parses hex and base64 keys and rejects short ones", () => {
    expect(parseSecretKey("ab".repeat(32))).toHaveLength(32);
    expect(parseSecretKey(Buffer.alloc(32, 1).toString("base64"))).toHaveLength(32);
    expect(() => parseSecretKey("short")).toThrow(/32 bytes/);
  });

  it("generates the key file once, mode 0600, and tightens a readable one", async () => {
    const file = path.join(dir, "state", "secret.key");
    const key = loadOrCreateKeyFile(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // The state directory it made holds the database and keys too: the server's user only.
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect(loadOrCreateKeyFile(file).equals(key)).toBe(true);
    await writeFile(file, await readFile(file), { mode: 0o644 });
    const { chmod } = await import("node:fs/promises");
    await chmod(file, 0o644);
    expect(loadOrCreateKeyFile(file).equals(key)).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
