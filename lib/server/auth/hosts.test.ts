import { describe, expect, it } from "vitest";

import { checkOrigin, hostAllowed, isAllowedHost, requestOrigin } from "@/lib/server/auth/hosts";

const config = { origin: new URL("https://minos.example.com"), allowedHosts: ["minos.example.com", "10.0.0.5:3000"] };
const h = (o: Record<string, string>) => new Headers(o);

describe("Host checks (DNS rebinding)", () => {
  it.each([
    ["localhost:3000", true],
    ["127.0.0.1:3215", true],
    ["[::1]:3000", true],
    ["minos.example.com", true],
    ["MINOS.example.com:8443", true],
    ["10.0.0.5:3000", true],
    ["10.0.0.5:3001", false],
    ["attacker.example", false],
    ["minos.example.com.attacker.example", false],
    ["", false],
  ])("%s → %s", (host, ok) => {
    expect(isAllowedHost(host, config)).toBe(ok);
  });

  it("checks X-Forwarded-Host too, which a rebound page can set itself", () => {
    expect(hostAllowed(h({ host: "127.0.0.1:3000" }), config)).toBe(true);
    expect(hostAllowed(h({ host: "127.0.0.1:3000", "x-forwarded-host": "evil.example" }), config)).toBe(false);
  });

  it("derives the request's origin from an allowed Host, else falls back to the configured one", () => {
    expect(requestOrigin(h({ host: "127.0.0.1:3215", "x-forwarded-proto": "http" }), config).origin).toBe("http://127.0.0.1:3215");
    expect(requestOrigin(h({ host: "evil.example" }), config).origin).toBe("https://minos.example.com");
  });
});

describe("Origin checks (cross-site requests)", () => {
  const base = { host: "127.0.0.1:3215", "x-forwarded-proto": "http" };
  it.each([
    [{ origin: "http://127.0.0.1:3215" }, true],
    [{ origin: "https://minos.example.com" }, true],
    [{ origin: "http://evil.example" }, false],
    [{ origin: "http://127.0.0.1:9999" }, false],
    [{ origin: "null" }, false],
    [{}, true],
    [{ "sec-fetch-site": "same-origin" }, true],
    [{ "sec-fetch-site": "cross-site" }, false],
  ])("%j → %s", (extra, ok) => {
    expect(checkOrigin(h({ ...base, ...extra }), config).ok).toBe(ok);
  });
});
