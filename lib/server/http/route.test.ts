import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

const stateDir = mkdtempSync(path.join(tmpdir(), "minos-route-"));
process.env.MINOS_STATE_DIR = stateDir;
process.env.MINOS_DB = path.join(stateDir, "minos.db");

import { AppError } from "@/lib/server/platform/errors";
import { route } from "@/lib/server/http/route";

const req = () => new Request("http://127.0.0.1/api/x", { headers: { host: "127.0.0.1" } });

describe("route(): Cache-Control", () => {
  it.each([
    ["plain data", () => ({ secret: "s" })],
    ["a Response of the handler's own", () => new Response("text", { headers: { "content-type": "text/plain" } })],
    ["a Response with immutable headers (Response.redirect)", () => Response.redirect("http://127.0.0.1/next", 303)],
    [
      "a thrown AppError",
      () => {
        throw new AppError("not_found", "nothing here");
      },
    ],
    [
      "an unexpected error",
      () => {
        throw new Error("boom");
      },
    ],
  ] as const)("no-store on %s", async (_, fn) => {
    const res = await route({ role: "public" }, fn)(req());
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("keeps the status and headers of a copied immutable response", async () => {
    const res = await route({ role: "public" }, () => Response.redirect("http://127.0.0.1/next", 303))(req());
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("http://127.0.0.1/next");
  });

  it("leaves a handler's own Cache-Control alone", async () => {
    const res = await route({ role: "public" }, () => new Response("x", { headers: { "cache-control": "no-store, no-transform" } }))(req());
    expect(res.headers.get("cache-control")).toBe("no-store, no-transform");
  });
});
