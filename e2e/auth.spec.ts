import { request as httpRequest } from "node:http";

import { expect, test } from "@playwright/test";

import { addVirtualAuthenticator, AuthPages, newPerson, startOwnMinos, type OwnMinos } from "./pages/auth";

let minos: OwnMinos;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  minos = await startOwnMinos();
});

test.afterAll(async () => {
  await minos?.stop();
});

test("first-start link → admin with a passkey → sign out → sign in with the passkey → invite a viewer", async ({ browser }) => {
  const context = await browser.newContext({ baseURL: minos.baseURL });
  const page = await context.newPage();
  await addVirtualAuthenticator(page);
  const admin = new AuthPages(page);

  await test.step("before setup, the sign-in page says where the link is", async () => {
    await page.goto("/sign-in");
    await expect(admin.heading()).toHaveText("Minos is waiting for its first admin");
    await expect(page.getByText("bootstrap-link.txt")).toBeVisible();
  });

  const bootstrapLink = await minos.bootstrapLink();
  await test.step("the first-start link makes an admin, who registers a passkey", async () => {
    await admin.redeem(bootstrapLink, "ada", "Admin");
    // The secret left the address bar as soon as the page read it.
    await expect(page).toHaveURL(`${minos.baseURL}/setup`);
  });

  await test.step("the link is spent", async () => {
    const other = await browser.newContext({ baseURL: minos.baseURL });
    const p = await other.newPage();
    await p.goto(bootstrapLink);
    await expect(p.getByRole("alert").filter({ hasText: "This link is not valid" })).toBeVisible();
    await expect(p.getByRole("button", { name: "Create the admin account" })).toHaveCount(0);
    await other.close();
  });

  await test.step("the Access page lists the admin and their passkey", async () => {
    await page.goto("/access");
    await expect(admin.heading()).toHaveText("Access");
    await expect(admin.userRow("ada")).toContainText("Passkey 1");
    await expect(admin.userRow("ada")).toContainText("(you)");
  });

  await test.step("sign out, then sign in again with the passkey", async () => {
    await admin.signOut();
    await page.goto("/access");
    await expect(page).toHaveURL(`${minos.baseURL}/sign-in?next=/access`);
    await admin.signInWithPasskey();
    await expect(page).toHaveURL(`${minos.baseURL}/access`);
    await expect(admin.userRow("ada")).toContainText("(you)");
  });

  const link = await test.step("invite a viewer", async () => admin.invite("Viewer", "vic"));
  expect(link).toMatch(new RegExp(`^${minos.baseURL}/invite#token=`));

  await test.step("the viewer accepts with a passkey of their own and is not an admin", async () => {
    const viewerContext = await browser.newContext({ baseURL: minos.baseURL });
    const viewer = await newPerson(viewerContext);
    await viewer.redeem(link, "vic", "Viewer");
    await viewer.page.goto("/access");
    await expect(viewer.page.getByRole("heading", { name: "Admins only" })).toBeVisible();
    await expect(viewer.page.getByText("You are signed in as vic with the Viewer role")).toBeVisible();
    const forbidden = await viewer.page.request.get("/api/users");
    expect(forbidden.status()).toBe(403);
    await viewerContext.close();
  });

  await test.step("the admin sees the accepted invitation and the new user", async () => {
    await page.reload();
    await expect(admin.userRow("vic")).toContainText("Viewer");
    await expect(page.getByRole("region", { name: "Invitations" })).toContainText("Accepted by vic");
  });
  await context.close();
});

/** A raw HTTP request, so the test controls Host and Origin exactly as an attacker's page would. */
function raw(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, method, path, headers }, (res) => {
      let data = "";
      res.on("data", (c: Buffer) => (data += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

test("cross-origin POSTs and a wrong Host are refused; pages carry the security headers", async ({ request }) => {
  const json = { "content-type": "application/json" };
  const crossSite = await raw(minos.port, "POST", "/api/auth/passkeys/authenticate/options", { host: `localhost:${minos.port}`, origin: "http://evil.example", ...json }, "{}");
  expect(crossSite.status).toBe(403);
  expect(JSON.parse(crossSite.body)).toMatchObject({ error: { code: "forbidden", message: expect.stringMatching(/^Cross-site request refused/) } });

  const rebound = await raw(minos.port, "GET", "/api/auth/session", { host: "evil.example" });
  expect(rebound.status).toBe(403);
  const reboundPage = await raw(minos.port, "GET", "/sign-in", { host: `evil.example:${minos.port}` });
  expect(reboundPage.status).toBe(403);

  const noCredentials = await raw(minos.port, "GET", "/api/users", { host: `localhost:${minos.port}` });
  expect(noCredentials.status).toBe(401);

  const page = await request.get(`${minos.baseURL}/sign-in`);
  const headers = page.headers();
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["content-security-policy"]).toContain("worker-src 'self' blob:");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("no-referrer");
});
