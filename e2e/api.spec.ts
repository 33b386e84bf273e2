import { expect, test } from "@playwright/test";

test("GET /api/health answers ok with the version, the store and this replica's leases", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({
    ok: true,
    version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    store: { dialect: "sqlite", latencyMs: expect.any(Number) },
    // One replica: it polls the one simulated cluster and runs the backup schedules.
    replica: { id: expect.any(String), leases: { poller: 1, backups: 1, alerts: 2 } },
  });
});

test("GET /api/clusters lists the simulated clusters with their credentials", async ({ request }) => {
  const response = await request.get("/api/clusters");
  expect(response.status()).toBe(200);
  const body = await response.json();
  expect(body.source.simulated).toBe(true);
  expect(body.clusters.map((c: { name: string }) => c.name)).toEqual(["sim-1"]);
  expect(body.clusters[0].roles).toEqual(["os:admin"]);
  expect(body.clusters[0].nodes).toHaveLength(8);
});

test("an unknown API route answers the error envelope", async ({ request }) => {
  const response = await request.get("/api/no-such-thing");
  expect(response.status()).toBe(404);
  expect(await response.json()).toEqual({ error: { code: "not_found", message: expect.any(String) } });
});
