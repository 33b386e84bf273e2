import { readFile } from "node:fs/promises";
import path from "node:path";

import { expect, request as playwrightRequest, test as setup, type APIRequestContext } from "@playwright/test";

import { csrfHeader, storageStateFile, type E2ERole } from "./auth-state";

// Signs in once per run and saves each role's cookies, so every spec starts signed in (as the
// admin by default; `test.use({ storageState: storageStateFile("viewer") })` for another role).
// The link and invitation redemptions sign in directly: no passkey is needed here.

function tokenOf(url: string): string {
  const token = /#token=([A-Za-z0-9_-]+)/.exec(url)?.[1];
  if (!token) throw new Error(`No token in ${url}`);
  return token;
}

async function redeemInvitation(admin: APIRequestContext, baseURL: string, role: E2ERole): Promise<void> {
  const created = await admin.post("/api/auth/invitations", { data: { role, name: `e2e-${role}` }, headers: await csrfHeader(admin) });
  expect(created.status()).toBe(200);
  const { url } = (await created.json()) as { url: string };
  const invitee = await playwrightRequest.newContext({ baseURL });
  const accepted = await invitee.post("/api/auth/invitations/accept", { data: { token: tokenOf(url), name: `e2e-${role}` } });
  expect(accepted.status()).toBe(200);
  await invitee.storageState({ path: storageStateFile(role) });
  await invitee.dispose();
}

setup("sign in as admin, operator and viewer", async ({ baseURL }) => {
  const base = baseURL!;
  const admin = await playwrightRequest.newContext({ baseURL: base });
  // Asking for the session makes a fresh server mint the first-start link (scripts/start.ts also asks).
  await expect(admin.get("/api/auth/session")).resolves.toBeOK();
  const file = path.join(process.env.E2E_STATE_DIR!, "bootstrap-link.txt");
  const link = await expect
    .poll(async () => readFile(file, "utf8").catch(() => ""), { timeout: 30_000 })
    .not.toBe("")
    .then(() => readFile(file, "utf8"));
  const redeemed = await admin.post("/api/auth/bootstrap", { data: { token: tokenOf(link.trim()), name: "e2e-admin" } });
  expect(redeemed.status()).toBe(200);
  await admin.storageState({ path: storageStateFile("admin") });
  await redeemInvitation(admin, base, "operator");
  await redeemInvitation(admin, base, "viewer");
  await admin.dispose();
});
