/**
 * The CLI's Minos API client: MINOS_URL / MINOS_TOKEN, the bearer token, the error envelope, and
 * deadlines, redirects and dead servers as errors that never hold the token.
 */
import { describe, expect, it } from "vitest";

import { planResponseSchema } from "@/lib/schemas/manifests";
import { minos, TOKEN, startFakeMinos } from "@/test/cli/fake-minos";

import { apiClient, apiTarget, ApiError, CliError } from "./api";

const fake = startFakeMinos();

describe("apiTarget", () => {
  it("reads MINOS_URL and MINOS_TOKEN, refusing what would leak or cannot work", () => {
    expect(apiTarget({ MINOS_URL: "https://minos.example.com/", MINOS_TOKEN: TOKEN })).toEqual({ base: "https://minos.example.com", token: TOKEN });
    expect(apiTarget({ MINOS_URL: "http://10.0.0.1:3000/minos", MINOS_TOKEN: TOKEN }).base).toBe("http://10.0.0.1:3000/minos");
    expect(() => apiTarget({ MINOS_TOKEN: TOKEN })).toThrow("MINOS_URL is not set");
    expect(() => apiTarget({ MINOS_URL: "https://a" })).toThrow("MINOS_TOKEN is not set");
    expect(() => apiTarget({ MINOS_URL: "minos.example.com", MINOS_TOKEN: TOKEN })).toThrow("MINOS_URL is not a URL");
    expect(() => apiTarget({ MINOS_URL: "ftp://a", MINOS_TOKEN: TOKEN })).toThrow("http:// or https://");
    expect(() => apiTarget({ MINOS_URL: "https://u:p@a", MINOS_TOKEN: TOKEN })).toThrow("must not hold credentials");
    expect(() => apiTarget({ MINOS_URL: "https://a", MINOS_TOKEN: "minos_a b" })).toThrow("spaces or control characters");
  });
});

describe("apiClient", () => {
  it("sends the bearer token; an error envelope becomes an ApiError; a deadline, a redirect and a dead server are CliErrors without the token", async () => {
    const { client, seen } = fake;
    fake.handler = minos();
    await expect(client().get("/api/nodes", planResponseSchema)).rejects.toMatchObject({ status: 404, code: "not_found", message: "No route /api/nodes" });
    expect(seen[0]).toMatchObject({ method: "GET", url: "/api/nodes", authorization: `Bearer ${TOKEN}` });

    fake.handler = () => "hang";
    const slow = await apiClient({ base: fake.base, token: TOKEN }, { timeoutMs: 200 }).get("/api/x", planResponseSchema).catch((e: unknown) => e);
    expect(slow).toBeInstanceOf(CliError);
    expect((slow as Error).message).toBe(`GET ${fake.base}/api/x: no answer within 0.2 s`);

    fake.handler = () => ({ status: 302, body: "" });
    const moved = await client().get("/api/x", planResponseSchema).catch((e: unknown) => e);
    expect((moved as Error).message).toMatch(/redirected \(HTTP 302\)/);

    fake.handler = () => ({ status: 502, body: "<html>bad gateway</html>" });
    const html = await client().get("/api/x", planResponseSchema).catch((e: unknown) => e);
    expect(html).toBeInstanceOf(ApiError);
    expect((html as Error).message).toMatch(/HTTP 502 with a application\/json that is not JSON/);

    fake.handler = () => ({ status: 200, body: { planId: 1 } });
    expect(((await client().get("/api/x", planResponseSchema).catch((e: unknown) => e)) as Error).message).toMatch(/unexpected answer \(planId: .*\); is the server the same Minos version/);

    const dead = await apiClient({ base: "http://127.0.0.1:59999", token: TOKEN }).get("/api/x", planResponseSchema).catch((e: unknown) => e);
    expect((dead as Error).message).toBe("GET http://127.0.0.1:59999/api/x: cannot reach the server: ECONNREFUSED");
    for (const e of [slow, moved, html, dead]) expect(String((e as Error).message)).not.toContain(TOKEN);
  });
});
