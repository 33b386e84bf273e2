import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect, type BrowserContext, type Page } from "@playwright/test";

/**
 * A Minos of its own for the access-control spec: a fresh state dir (so an empty database and
 * a first-start link), its own port and simulator addresses. The shared e2e server cannot serve
 * here: its database is not empty for long, and phase 1 leaves it open to everyone.
 */
export interface OwnMinos {
  /** http://localhost:<port>: passkeys need a host name; browsers refuse IP addresses as RP IDs. */
  baseURL: string;
  port: number;
  stateDir: string;
  /** The first-start link, rebased on baseURL (the server writes it to <state>/bootstrap-link.txt). */
  bootstrapLink(): Promise<string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** The shared server's simulator range, moved to .101+ so both fleets can run at once. */
function simFirstAddress(): string {
  const shared = process.env.E2E_SIM_FIRST_ADDRESS ?? "127.0.60.1";
  const octets = shared.split(".");
  return `${octets.slice(0, 3).join(".")}.101`;
}

export async function startOwnMinos(): Promise<OwnMinos> {
  const root = path.resolve(__dirname, "..", "..");
  const port = await freePort();
  const stateDir = mkdtempSync(path.join(tmpdir(), "minos-e2e-auth-"));
  const log: string[] = [];
  const child: ChildProcess = spawn(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "scripts/start.ts"], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      MINOS_HOST: "127.0.0.1",
      MINOS_SIM: "1",
      MINOS_STATE_DIR: stateDir,
      MINOS_ORIGIN: `http://localhost:${port}`,
      MINOS_SIM_ARGS: `--first-address ${simFirstAddress()} --control-port 0 --control-planes 1 --workers 1`,
      NEXT_TELEMETRY_DISABLED: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d: Buffer) => log.push(d.toString()));
  child.stderr!.on("data", (d: Buffer) => log.push(d.toString()));
  const baseURL = `http://localhost:${port}`;
  const linkFile = path.join(stateDir, "bootstrap-link.txt");
  await expect
    .poll(
      async () => {
        if (child.exitCode !== null) throw new Error(`Minos exited (${child.exitCode}):\n${log.join("")}`);
        return existsSync(linkFile);
      },
      { timeout: 120_000, intervals: [250, 500, 1000], message: "the first-start link appears in <state>/bootstrap-link.txt" },
    )
    .toBe(true);
  return {
    baseURL,
    port,
    stateDir,
    async bootstrapLink() {
      const url = new URL(readFileSync(linkFile, "utf8").trim());
      return `${baseURL}${url.pathname}${url.hash}`;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/**
 * A platform authenticator in the browser through the Chrome DevTools Protocol: resident keys,
 * user verification that always succeeds, presence simulated, so no prompt ever waits.
 */
export async function addVirtualAuthenticator(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
}

/** The sign-in, first-start and invitation pages, and the Access page's controls. */
export class AuthPages {
  constructor(readonly page: Page) {}

  heading() {
    return this.page.getByRole("heading", { level: 1 });
  }

  /** Redeems a one-time link: choose a name, then register a passkey on the virtual authenticator. */
  async redeem(link: string, name: string, role: "Admin" | "Operator" | "Viewer") {
    await this.page.goto(link);
    await expect(this.page.getByText(role, { exact: true })).toBeVisible();
    await this.page.getByLabel("Your name").fill(name);
    await this.page.getByRole("button", { name: /Create (the admin account|my account)/ }).click();
    await this.page.getByRole("button", { name: "Register a passkey" }).click();
    await expect(this.page.getByRole("status").filter({ hasText: "registered" })).toContainText(`registered for ${name}`);
  }

  async signOut() {
    await this.page.getByRole("button", { name: "Sign out" }).click();
    await expect(this.page).toHaveURL(/\/sign-in$/);
    await expect(this.heading()).toHaveText("Sign in to Minos");
  }

  async signInWithPasskey() {
    await this.page.getByRole("button", { name: "Sign in with a passkey" }).click();
  }

  users() {
    return this.page.getByRole("region", { name: "Users" });
  }

  userRow(name: string) {
    return this.users().getByRole("row", { name: `User ${name}` });
  }

  /** Creates an invitation from the Access page and returns the one-time link it shows. */
  async invite(role: "Admin" | "Operator" | "Viewer", name: string): Promise<string> {
    const form = this.page.getByRole("form", { name: "Invite someone" });
    await form.getByLabel("Role").selectOption({ label: role });
    await form.getByLabel("Name (optional)").fill(name);
    await form.getByRole("button", { name: "Create invitation link" }).click();
    const secret = this.page.getByRole("region", { name: "Invitation link" });
    await expect(secret).toBeVisible();
    return (await secret.getByTestId("secret-value").textContent())!.trim();
  }
}

/** A second person: a fresh browser context with an authenticator of its own. */
export async function newPerson(context: BrowserContext): Promise<AuthPages> {
  const page = await context.newPage();
  await addVirtualAuthenticator(page);
  return new AuthPages(page);
}
