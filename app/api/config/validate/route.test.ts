import { describe, expect, it } from "vitest";

import { validateConfigResponseSchema } from "@/lib/schemas/config";
import { authedRequest } from "@/test/auth/credentials";

import { POST } from "./route";

const call = (body: unknown, headers: Record<string, string> = { "content-type": "application/json" }) =>
  POST(authedRequest("http://localhost/api/config/validate", { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) }));

describe("POST /api/config/validate", () => {
  it("returns the validation result for a patch", async () => {
    const res = await call({ yaml: "machine:\n  foo: 1\n", talosVersion: "v1.13.9", patch: true });
    expect(res.status).toBe(200);
    const body = validateConfigResponseSchema.parse(await res.json());
    expect(body.talosVersion).toBe("1.13");
    expect(body.valid).toBe(false);
    expect(body.issues).toEqual([expect.objectContaining({ message: "unknown key `foo`", line: 2, column: 3, path: ["machine", "foo"] })]);
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
