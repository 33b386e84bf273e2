import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { beforeAll, beforeEach, describe, expect, it } from "vitest";

const stateDir = mkdtempSync(path.join(tmpdir(), "minos-template-route-"));
process.env.MINOS_STATE_DIR = stateDir;
process.env.MINOS_DB = path.join(stateDir, "minos.db");

import { configTemplateResponseSchema } from "@/lib/schemas/node-config";
import { authedRequest } from "@/test/auth/credentials";
import { RATE_LIMITS, rateLimiter } from "@/lib/server/auth/rate-limit";
import { ReadyPool } from "@/lib/server/configs/ready-pool";
import { makeTemplateSecrets, type TemplateSecrets } from "@/lib/server/configs/template";

import { GET } from "./route";
import { processState } from "@/lib/server/platform/process-state";

let made = 0;
beforeAll(async () => {
  // The route's process-wide pool, stocked with one real set so the test makes a single RSA key.
  const real = await makeTemplateSecrets();
  processState<{ __minosTemplatePool?: ReadyPool<TemplateSecrets> }>().__minosTemplatePool = new ReadyPool({
    make: async () => {
      made++;
      return real;
    },
    size: 2,
    maxWaiting: 2,
  });
});

beforeEach(() => rateLimiter().reset());

const get = async (query = "role=worker") => GET(await authedRequest(`http://127.0.0.1/api/config/template?${query}`));

describe("GET /api/config/template", () => {
  it("answers a viewer with a template", async () => {
    const res = await get();
    expect(res.status).toBe(200);
    expect(configTemplateResponseSchema.parse(await res.json()).role).toBe("worker");
    expect(made).toBeGreaterThan(0);
  });

  it("answers 429 with Retry-After past the limit", async () => {
    const burst = RATE_LIMITS.template.capacity;
    for (let i = 0; i < burst; i++) expect((await get()).status).toBe(200);
    const refused = await get();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
  });

  it("counts requests that fail validation too (they cost the same guard work)", async () => {
    for (let i = 0; i < RATE_LIMITS.template.capacity; i++) expect((await get("role=nope")).status).toBe(400);
    expect((await get()).status).toBe(429);
  });
});
