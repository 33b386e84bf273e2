import { expect, test, type APIRequestContext } from "@playwright/test";

import { certificatesResponseSchema } from "@/lib/schemas/certs";

import { CertificatesPage } from "./pages/certificates";
import { ShellPage } from "./pages/shell";

// The e2e fleet is one cluster (sim-1) of 3 control planes and 5 workers with Talos's default
// lifetimes, read with the admin talosconfig: 1 client certificate, 4 CAs and 8 apid certificates.
const NODES = 8;
const TOTAL = 1 + 4 + NODES;

async function controlUrl(request: APIRequestContext): Promise<string> {
  const res = await request.get("/api/sim");
  expect(res.ok()).toBe(true);
  const { controlUrl } = (await res.json()) as { controlUrl: string | null };
  expect(controlUrl).toBeTruthy();
  return controlUrl!;
}

test("lists your credentials, the cluster CAs and every node's apid certificate", async ({ page }) => {
  const shell = new ShellPage(page);
  const certs = new CertificatesPage(page);
  await certs.goto();

  await expect(certs.rows()).toHaveCount(TOTAL);
  await expect(certs.headline()).toContainText(`All ${TOTAL} certificates are fine`);
  await expect(certs.tierCard("OK")).toContainText(String(TOTAL));

  const client = certs.rowsFor("talosconfig client certificate");
  await expect(client).toHaveCount(1);
  await expect(client.getByText("Your credentials", { exact: true })).toBeVisible();
  await expect(client.getByText("Talos does not renew these", { exact: true })).toBeVisible();
  await expect(client.getByRole("cell", { name: "You", exact: true })).toBeVisible();
  await expect(client.getByRole("cell", { name: "OK", exact: true })).toBeVisible();

  await expect(certs.rowsFor("Talos API server (apid)")).toHaveCount(NODES);
  await expect(certs.rowsFor("Talos API server (apid)").first().getByRole("cell", { name: "Talos", exact: true })).toBeVisible();
  for (const ca of ["Talos API CA", "Kubernetes CA", "Kubernetes aggregator (front-proxy) CA", "etcd CA"]) {
    await expect(certs.rowsFor(ca), ca).toHaveCount(1);
  }
  // The Talos CA comes from the talosconfig and from every node's machine config.
  await expect(certs.rowsFor("Talos API CA").getByRole("cell", { name: `${NODES} nodes and your talosconfig` })).toBeVisible();

  // How to renew is one click away.
  await client.getByText("How").click();
  await expect(client.getByText(/talosctl config new/)).toBeVisible();

  await expect(certs.timeline()).toBeVisible();
  await expect(certs.timeline().getByText("1 year", { exact: true })).toBeVisible();
  // The simulated control planes serve no leaf secrets by default: the page says so.
  await expect(certs.coverage()).toContainText("returned no EtcdSecrets or KubernetesDynamicCerts");
  await expect(certs.scanErrors()).toHaveCount(0);

  expect(shell.consoleErrors).toEqual([]);
  expect(shell.failedRequests).toEqual([]);
});

test("filters by kind and tier through the URL, with an empty state", async ({ page }) => {
  const shell = new ShellPage(page);
  const certs = new CertificatesPage(page);
  await certs.goto();

  await certs.kindFilter().selectOption({ label: "CAs" });
  await expect(page).toHaveURL(/\/certificates\?kind=ca$/);
  await expect(certs.rows()).toHaveCount(4);

  await certs.tierFilter().selectOption({ label: "Critical" });
  await expect(page).toHaveURL(/kind=ca&tier=critical$/);
  await expect(page.getByRole("heading", { name: "No certificate matches" })).toBeVisible();
  await expect(certs.timeline()).toHaveCount(0);
  await page.getByRole("button", { name: "Clear the kind and tier filters" }).click();
  await expect(page).toHaveURL(/\/certificates$/);
  await expect(certs.rows()).toHaveCount(TOTAL);

  await certs.tierCard("OK").click();
  await expect(page).toHaveURL(/\?tier=ok$/);
  await expect(certs.tierCard("OK")).toHaveAttribute("aria-pressed", "true");
  await expect(certs.rows()).toHaveCount(TOTAL);

  // A shared link opens with the same filters.
  await certs.goto("?cluster=sim-1&kind=client");
  await expect(certs.rows()).toHaveCount(1);
  await expect(certs.kindFilter()).toHaveValue("client");

  expect(shell.consoleErrors).toEqual([]);
});

test("a node that is down shows its scan errors beside the rest of the inventory", async ({ page, request }) => {
  const shell = new ShellPage(page);
  const certs = new CertificatesPage(page);
  const control = await controlUrl(request);
  const nodes = (await (await request.get(`${control}/nodes`)).json()) as { address: string; role: string }[];
  const worker = nodes.find((n) => n.role === "worker")!.address;

  await certs.goto();
  await (await request.post(`${control}/faults`, { data: { node: worker, fault: "down" } })).body();
  try {
    await certs.rescan();
    await expect(certs.scanErrors()).toContainText(`${worker}@sim-1`);
    await expect(certs.scanErrors()).toContainText("TLS handshake (apid certificate)");
    await expect(certs.rowsFor("Talos API server (apid)")).toHaveCount(NODES - 1);
    await expect(certs.rowsFor("talosconfig client certificate")).toHaveCount(1);
  } finally {
    await request.delete(`${control}/faults?node=${worker}`);
  }
  await certs.rescan();
  await expect(certs.scanErrors()).toHaveCount(0);
  await expect(certs.rowsFor("Talos API server (apid)")).toHaveCount(NODES);
  expect(shell.consoleErrors).toEqual([]);
});

test("GET /api/certificates answers the schema, filters, and refuses bad filters with the envelope", async ({ request }) => {
  const all = certificatesResponseSchema.parse(await (await request.get("/api/certificates")).json());
  expect(all.certificates).toHaveLength(TOTAL);
  expect(all.clusters).toEqual([expect.objectContaining({ cluster: "sim-1", admin: true, leafSecrets: "none", nodesScanned: NODES })]);

  const clients = certificatesResponseSchema.parse(await (await request.get("/api/certificates?kind=client")).json());
  expect(clients.certificates).toEqual([expect.objectContaining({ kind: "client", renewedBy: "operator", roles: ["os:admin"] })]);

  const bad = await request.get("/api/certificates?tier=doomed");
  expect(bad.status()).toBe(400);
  expect(await bad.json()).toMatchObject({ error: { code: "validation_failed" } });
});
