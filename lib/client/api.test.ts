import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { CSRF_HEADER } from "@/lib/auth/csrf";

import { apiFetch, ApiError } from "./api";
import { removeUploadedTalosconfig } from "./clusters";
import { signOut } from "./auth";

function answer(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

describe("apiFetch, the one fetch of the browser", () => {
  const fetchMock = vi.fn<typeof fetch>();
  beforeEach(() => {
    vi.stubGlobal("fetch", fetchMock);
    // The CSRF token comes from a cookie scripts on Minos's origin can read.
    vi.stubGlobal("document", { cookie: "other=1; minos_csrf=tok%3D1" });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    fetchMock.mockReset();
  });

  const sentHeaders = (call = 0) => new Headers(fetchMock.mock.calls[call]![1]!.headers as Record<string, string>);

  it("sends mutations with the CSRF token and a JSON body; reads go without the token", async () => {
    fetchMock.mockImplementation(async () => answer(200, { ok: true }));
    await apiFetch("/api/x", { method: "POST", json: { a: 1 } });
    await apiFetch("/api/x");
    expect(sentHeaders(0).get(CSRF_HEADER)).toBe("tok=1");
    expect(sentHeaders(0).get("content-type")).toBe("application/json");
    expect(fetchMock.mock.calls[0]![1]!.body).toBe('{"a":1}');
    expect(sentHeaders(1).get(CSRF_HEADER)).toBeNull();
  });

  it.each([
    ["DELETE /api/clusters/talosconfig/:id", () => removeUploadedTalosconfig("u1"), { id: "u1", removed: [] }],
    ["POST /api/auth/sign-out", () => signOut(), { ok: true }],
  ])("the data layer's mutations carry the token too: %s", async (_name, call, body) => {
    fetchMock.mockImplementation(async () => answer(200, body));
    await call();
    expect(sentHeaders().get(CSRF_HEADER)).toBe("tok=1");
  });

  it("turns the error envelope into an ApiError with its code and details", async () => {
    fetchMock.mockImplementation(async () => answer(409, { error: { code: "conflict", message: "an apply runs", details: { node: "n" } } }));
    const e = await apiFetch("/api/x", { method: "POST", json: {} }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 409, code: "conflict", message: "an apply runs", details: { node: "n" } });
  });

  it("an answer that is not the envelope is an internal error naming the path", async () => {
    fetchMock.mockResolvedValue(new Response("<html>bad gateway</html>", { status: 502 }));
    await expect(apiFetch("/api/x")).rejects.toMatchObject({ status: 502, code: "internal", message: "HTTP 502 from /api/x" });
  });

  it("no answer at all is a network error", async () => {
    fetchMock.mockRejectedValue(new TypeError("Failed to fetch"));
    await expect(apiFetch("/api/x")).rejects.toMatchObject({ status: 0, code: "network", message: "Minos did not answer: Failed to fetch" });
  });

  it("a success whose body is not JSON is an internal error, not undefined data", async () => {
    fetchMock.mockResolvedValue(new Response("<html>captive portal</html>", { status: 200 }));
    await expect(apiFetch("/api/x")).rejects.toMatchObject({ status: 200, code: "internal", message: "HTTP 200 from /api/x was not JSON" });
  });

  it("an error envelope of the wrong shape is not trusted for its code", async () => {
    fetchMock.mockImplementation(async () => answer(403, { error: { code: 7, message: "x" } }));
    await expect(apiFetch("/api/x")).rejects.toMatchObject({ status: 403, code: "internal" });
  });
});
