import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { MAX_ISSUES } from "@/lib/config/bound";
import { validateConfigResponseSchema } from "@/lib/schemas/config";
import { authedRequest } from "@/test/auth/credentials";
import { ValidationPool } from "@/lib/server/validation/pool";

import { POST } from "./route";
import { processState } from "@/lib/server/platform/process-state";

const call = async (body: unknown, headers: Record<string, string> = { "content-type": "application/json" }) =>
  POST(await authedRequest("http://localhost/api/config/validate", { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) }));

const g = processState<{ __minosValidationPool?: ValidationPool }>();

describe("POST /api/config/validate", () => {
  // The process's pool, with a budget no loaded test machine reaches (the budget has its own test).
  beforeAll(() => {
    g.__minosValidationPool = new ValidationPool({ budgetMs: 60_000 });
  });
  afterAll(() => g.__minosValidationPool?.close());

  it("returns the validation result for a patch", async () => {
    const res = await call({ yaml: "machine:\n  foo: 1\n", talosVersion: "v1.13.9", patch: true });
    expect(res.status).toBe(200);
    const body = validateConfigResponseSchema.parse(await res.json());
    expect(body.talosVersion).toBe("1.13");
    expect(body.valid).toBe(false);
    expect(body.issues).toEqual([expect.objectContaining({ message: "unknown key `foo`", line: 2, column: 3, path: ["machine", "foo"] })]);
    expect(body).toMatchObject({ truncated: false, issueCount: 1 });
  });

  it("answers at most MAX_ISSUES issues, errors first, and says how many there were", async () => {
    const yaml = `machine:\n  type: bogus\n${Array.from({ length: 5_000 }, (_, i) => `  k${i}: 1\n`).join("")}`;
    const res = await call({ yaml, patch: true });
    expect(res.status).toBe(200);
    const body = validateConfigResponseSchema.parse(await res.json());
    expect(body).toMatchObject({ valid: false, truncated: true, issueCount: 5_001 });
    expect(body.issues).toHaveLength(MAX_ISSUES);
    expect(body.issues[0]?.message).toMatch(/unknown machine type/);
  });

  it("shortens a message that quotes a huge value", async () => {
    const x = "x".repeat(100_000);
    // A rule quoting the value, and an explicit (`? `) key of any length (unknown, so quoted too).
    const yaml = `machine:\n  kubelet:\n    nodeIP:\n      validSubnets: ["${x}"]\n  ? k${x}\n  : 1\n`;
    const res = await call({ yaml, patch: true, talosVersion: "1.13" });
    const body = validateConfigResponseSchema.parse(await res.json());
    expect(body).toMatchObject({ truncated: true, issueCount: 2 });
    const subnet = body.issues.find((i) => i.message.startsWith("kubelet nodeIP subnet is not valid"));
    const unknown = body.issues.find((i) => i.message.startsWith("unknown key"));
    expect(subnet!.message.length).toBeLessThanOrEqual(1000);
    expect(unknown!.message.length).toBeLessThanOrEqual(1000);
    expect(String(unknown!.path[1]).length).toBeLessThanOrEqual(200);
  });

  it("answers 422 too_complex when validation overruns its budget", async () => {
    const saved = g.__minosValidationPool;
    g.__minosValidationPool = new ValidationPool({ size: 1, budgetMs: 1 });
    try {
      const res = await call({ yaml: `machine:\n${Array.from({ length: 40_000 }, (_, i) => `  k${i}: 1\n`).join("")}`, patch: true });
      expect(res.status).toBe(422);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("too_complex");
      expect(body.error.message).toMatch(/too large or too deeply nested/);
    } finally {
      await g.__minosValidationPool.close();
      g.__minosValidationPool = saved;
    }
  });

  it("answers malformed YAML with 200 and issues", async () => {
    const res = await call({ yaml: "machine:\n\ttype: worker\n" });
    expect(res.status).toBe(200);
    const body = validateConfigResponseSchema.parse(await res.json());
    expect(body.valid).toBe(false);
    expect(body.issues[0]).toMatchObject({ line: 2, column: 1 });
  });

  it("applies mode rules", async () => {
    const yaml = "machine:\n  type: worker\n  install:\n    wipe: true\n";
    const metal = validateConfigResponseSchema.parse(await (await call({ yaml, mode: "metal", patch: false })).json());
    expect(metal.issues.some((i) => i.message.includes("either install disk or diskSelector"))).toBe(true);
  });

  it.each([
    [{}, "validation_failed"],
    [{ yaml: 42 }, "validation_failed"],
    [{ yaml: "", mode: "vm" }, "validation_failed"],
    [{ yaml: "", talosVersion: "latest" }, "validation_failed"],
    [{ yaml: "", extra: true }, "validation_failed"],
  ])("rejects body %j with a 400 envelope", async (body, code) => {
    const res = await call(body);
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe(code);
  });

  it("rejects a non-JSON body", async () => {
    const res = await call("yaml: x", { "content-type": "text/yaml" });
    expect(res.status).toBe(400);
  });

  it("accepts a config near 4 MiB and refuses a body over the limit", async () => {
    const big = `# ${"x".repeat(4 * 1024 * 1024 - 10)}\n`;
    const ok = await call({ yaml: big });
    expect(ok.status).toBe(200);
    const tooBig = await call({ yaml: "x".repeat(5 * 1024 * 1024 + 1) });
    expect(tooBig.status).toBe(413);
  });
});
