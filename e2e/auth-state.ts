import path from "node:path";

import type { APIRequestContext } from "@playwright/test";

export type E2ERole = "admin" | "operator" | "viewer";

/**
 * Where the setup project leaves each role's signed-in browser state: inside the run's state
 * dir, which playwright.config.ts puts in E2E_STATE_DIR so the runner and its workers agree.
 */
export function storageStateFile(role: E2ERole): string {
  const dir = process.env.E2E_STATE_DIR;
  if (!dir) throw new Error("E2E_STATE_DIR is not set: run the specs through playwright.config.ts");
  return path.join(dir, "storage", `${role}.json`);
}

/**
 * The CSRF header a cookie session must send on mutating API calls, read from the context's
 * `minos_csrf` cookie (a browser page's apiFetch does the same from document.cookie).
 */
export async function csrfHeader(request: APIRequestContext): Promise<Record<string, string>> {
  const { cookies } = await request.storageState();
  const csrf = cookies.find((c) => c.name === "minos_csrf")?.value;
  if (!csrf) throw new Error("No minos_csrf cookie: is this context signed in?");
  return { "x-minos-csrf": csrf };
}
