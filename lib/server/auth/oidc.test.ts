import { createServer, type Server } from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseEnv } from "@/lib/schemas/env";
import { listAudit } from "@/lib/server/platform/audit";
import { buildAuthConfig, parseRoleMap } from "@/lib/server/auth/config";
import { finishOidc, groupsFromClaims, roleFromGroups, startOidc } from "@/lib/server/auth/oidc";
import { testDb } from "@/test/db";

describe("group → role mapping", () => {
  const map = parseRoleMap("platform-admins=admin, sre=operator, *=viewer");
  it.each([
    [["sre"], "operator"],
    [["sre", "platform-admins"], "admin"],
    [["marketing"], "viewer"],
    [[], "viewer"],
  ] as const)("%j → %s", (groups, role) => {
    expect(roleFromGroups(groups, map)).toBe(role);
  });
  it("refuses people in no mapped group when there is no *", () => {
    expect(roleFromGroups(["marketing"], parseRoleMap("sre=operator"))).toBeNull();
  });
  it("reads list and string claims", () => {
    expect(groupsFromClaims({ groups: ["a", "b", 3] }, "groups")).toEqual(["a", "b"]);
    expect(groupsFromClaims({ roles: "a b,c" }, "roles")).toEqual(["a", "b", "c"]);
    expect(groupsFromClaims({}, "groups")).toEqual([]);
  });
  it("rejects a malformed map", () => {
    expect(() => parseRoleMap("sre=root")).toThrow(/sre=root/);
  });
});

/** A minimal OpenID provider: discovery, JWKS and a token endpoint that signs what the test asks. */
describe("OpenID Connect sign-in against a local issuer", () => {
  let server: Server;
  let issuer: string;
  let key: CryptoKey;
  let jwk: JWK;
  let nextClaims: Record<string, unknown> = {};
  let lastNonce = "";

  beforeAll(async () => {
    const pair = await generateKeyPair("RS256");
    key = pair.privateKey;
    jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    server = createServer((req, res) => {
      const url = new URL(req.url!, issuer);
      const json = (v: unknown) => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(v));
      };
      if (url.pathname === "/.well-known/openid-configuration") {
        return json({
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
          code_challenge_methods_supported: ["S256"],
        });
      }
      if (url.pathname === "/jwks") return json({ keys: [jwk] });
      if (url.pathname === "/token") {
        void (async () => {
          const idToken = await new SignJWT({ nonce: lastNonce, ...nextClaims })
            .setProtectedHeader({ alg: "RS256", kid: "k1" })
            .setIssuer(issuer)
            .setAudience("minos")
            .setSubject(String(nextClaims.sub ?? "u-1"))
            .setIssuedAt()
            .setExpirationTime("5m")
            .sign(key);
          json({ access_token: "at", token_type: "Bearer", expires_in: 300, id_token: idToken });
        })();
        return;
      }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(() => server.close());

  async function deps() {
    const stateDir = mkdtempSync(path.join(tmpdir(), "minos-oidc-"));
    const config = buildAuthConfig(
      parseEnv({
        MINOS_STATE_DIR: stateDir,
        PORT: "3215",
        MINOS_OIDC_ISSUER: issuer,
        MINOS_OIDC_CLIENT_ID: "minos",
        MINOS_OIDC_CLIENT_SECRET: "s3cret",
        MINOS_OIDC_ROLE_MAP: "sre=operator,platform-admins=admin",
      }),
    );
    return { db: await testDb(), config, now: new Date() };
  }

  const headers = { host: "localhost:3215", "x-forwarded-proto": "http" };

  async function signIn(d: Awaited<ReturnType<typeof deps>>, claims: Record<string, unknown>, tamper?: (u: URL) => void) {
    const start = await startOidc(new Request("http://localhost:3215/api/auth/oidc/start", { headers }), d);
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get("location")!);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("redirect_uri")).toBe("http://localhost:3215/api/auth/oidc/callback");
    lastNonce = authorize.searchParams.get("nonce")!;
    nextClaims = claims;
    const cookie = start.headers.getSetCookie()[0]!.split(";")[0]!;
    const callback = new URL(`http://localhost:3215/api/auth/oidc/callback?code=c0de&state=${authorize.searchParams.get("state")}`);
    tamper?.(callback);
    return finishOidc(new Request(callback, { headers: { ...headers, cookie } }), { ...d, now: new Date() });
  }

  it("maps the groups claim to a role, creates the user once, and re-reads the role at each sign-in", async () => {
    const d = await deps();
    const first = await signIn(d, { sub: "u-42", preferred_username: "olga", groups: ["sre"] });
    expect(first.body.user).toEqual({ name: "olga", role: "operator" });
    expect(first.cookies.some((c) => c.startsWith("minos_session="))).toBe(true);
    const again = await signIn(d, { sub: "u-42", preferred_username: "olga", groups: ["sre", "platform-admins"] });
    expect(again.body.user.role).toBe("admin");
    expect(await d.db.selectFrom("users").select("role").execute()).toEqual([{ role: "admin" }]);
  });

  it("refuses a person in no mapped group, and a forged state; both are audited", async () => {
    const d = await deps();
    await expect(signIn(d, { sub: "u-7", preferred_username: "mallory", groups: ["marketing"] })).rejects.toThrow(/none of your groups/);
    await expect(signIn(d, { sub: "u-8", groups: ["sre"] }, (u) => u.searchParams.set("state", "forged"))).rejects.toThrow(/Single sign-on failed/);
    expect((await listAudit(d.db, { limit: 5 })).map((e) => `${e.action} ${e.result} ${e.actor}`)).toEqual(["auth.sign_in failed anonymous", "auth.sign_in failed user:mallory"]);
  });
});
