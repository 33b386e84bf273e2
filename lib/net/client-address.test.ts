import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseEnv } from "@/lib/schemas/env";
import {
  CLIENT_ADDRESS_HEADER,
  clientBucket,
  normalizeAddress,
  parseTrustedProxies,
  proxyMatcher,
  resolveClientAddress,
  stampClientAddress,
} from "@/lib/net/client-address";

const trusting = (spec: string) => proxyMatcher(parseTrustedProxies(spec));

describe("resolveClientAddress", () => {
  const cases: [string, { peer: string | undefined; xff?: string | string[]; trusted: string }, string][] = [
    ["no proxies: the socket, whatever X-Forwarded-For says", { peer: "203.0.113.7", xff: "127.0.0.1", trusted: "" }, "203.0.113.7"],
    ["no proxies, no header", { peer: "203.0.113.7", trusted: "" }, "203.0.113.7"],
    ["an untrusted peer sending X-Forwarded-For is the client", { peer: "198.51.100.9", xff: "10.0.0.1, 127.0.0.1", trusted: "127.0.0.1" }, "198.51.100.9"],
    ["a trusted proxy: the address it appended", { peer: "127.0.0.1", xff: "203.0.113.7", trusted: "127.0.0.1" }, "203.0.113.7"],
    ["a trusted proxy: a forged left part is skipped", { peer: "127.0.0.1", xff: "1.2.3.4, 203.0.113.7", trusted: "127.0.0.1" }, "203.0.113.7"],
    ["a chain of trusted proxies is walked from the right", { peer: "10.0.0.5", xff: "9.9.9.9, 203.0.113.7, 10.1.2.3, 10.0.0.4", trusted: "10.0.0.0/8" }, "203.0.113.7"],
    ["several header lines join into one chain", { peer: "10.0.0.5", xff: ["9.9.9.9, 203.0.113.7", "10.0.0.4"], trusted: "10.0.0.0/8" }, "203.0.113.7"],
    ["a trusted proxy without X-Forwarded-For is the client", { peer: "127.0.0.1", trusted: "127.0.0.1" }, "127.0.0.1"],
    ["garbage stops the walk at the last checked hop", { peer: "10.0.0.5", xff: "203.0.113.7, not-an-ip, 10.0.0.4", trusted: "10.0.0.0/8" }, "10.0.0.4"],
    ["every hop trusted: the leftmost", { peer: "10.0.0.5", xff: "10.0.0.3, 10.0.0.4", trusted: "10.0.0.0/8" }, "10.0.0.3"],
    ["IPv4-mapped peer matches an IPv4 rule and is reported as IPv4", { peer: "::ffff:127.0.0.1", xff: "203.0.113.7", trusted: "127.0.0.1" }, "203.0.113.7"],
    ["IPv4-mapped peer, no proxies", { peer: "::ffff:127.0.0.1", trusted: "" }, "127.0.0.1"],
    ["IPv6 peer and IPv6 CIDR", { peer: "fd00::17", xff: "2001:DB8:0:0::1", trusted: "fd00::/8" }, "2001:db8::1"],
    ["IPv6 loopback trusted as an address", { peer: "::1", xff: "[2001:db8::2]:4711", trusted: "::1" }, "2001:db8::2"],
    ["a proxy's port on an IPv4 entry is dropped", { peer: "127.0.0.1", xff: "203.0.113.7:55123", trusted: "127.0.0.1" }, "203.0.113.7"],
    ["CIDR edge: just outside the network is not trusted", { peer: "192.168.1.0", xff: "203.0.113.7", trusted: "192.168.0.0/24" }, "192.168.1.0"],
    ["CIDR edge: the last address inside is trusted", { peer: "192.168.0.255", xff: "203.0.113.7", trusted: "192.168.0.0/24" }, "203.0.113.7"],
    ["no socket address", { peer: undefined, xff: "203.0.113.7", trusted: "127.0.0.1" }, "unknown"],
  ];
  it.each(cases)("%s", (_, c, expected) => {
    expect(resolveClientAddress(c.peer, c.xff, trusting(c.trusted))).toBe(expected);
  });
});

describe("addresses", () => {
  it("normalise to one spelling per address", () => {
    expect(normalizeAddress("::FFFF:7F00:1")).toBe("127.0.0.1");
    expect(normalizeAddress("[::1]")).toBe("::1");
    expect(normalizeAddress("fe80::1%eth0")).toBe("fe80::1");
    expect(normalizeAddress("2001:0db8:0000::0001")).toBe("2001:db8::1");
    expect(normalizeAddress("localhost")).toBeNull();
    expect(normalizeAddress("1.2.3.4.5")).toBeNull();
  });

  it("group IPv6 clients by /64 for rate limits, IPv4 by address", () => {
    expect(clientBucket("203.0.113.7")).toBe("203.0.113.7");
    expect(clientBucket("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(clientBucket("2001:db8:1:2:bbbb:cccc:dddd:eeee")).toBe("2001:db8:1:2::/64");
    expect(clientBucket("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientBucket("::1")).toBe("0:0:0:0::/64");
  });
});

describe("MINOS_TRUSTED_PROXIES", () => {
  it("parses addresses and CIDRs, IPv4-mapped ones as IPv4", () => {
    expect(parseEnv({ MINOS_TRUSTED_PROXIES: " 127.0.0.1, 10.0.0.0/8 ,fd00::/8,::ffff:192.168.0.0/112" }).MINOS_TRUSTED_PROXIES).toEqual([
      { network: "127.0.0.1", prefix: 32, family: 4 },
      { network: "10.0.0.0", prefix: 8, family: 4 },
      { network: "fd00::", prefix: 8, family: 6 },
      { network: "192.168.0.0", prefix: 16, family: 4 },
    ]);
    expect(parseEnv({}).MINOS_TRUSTED_PROXIES).toEqual([]);
  });

  it.each(["nginx", "10.0.0.0/33", "fd00::/129", "10.0.0.0/8/1", "10.0.0.0/x", "10.0.0.0/"])("refuses %s, naming the variable", (value) => {
    expect(() => parseEnv({ MINOS_TRUSTED_PROXIES: value })).toThrow(/MINOS_TRUSTED_PROXIES: .*/);
  });
});

describe("the server's stamp", () => {
  let server: Server;
  let base: string;
  const isTrusted = trusting("10.0.0.0/8");

  beforeAll(async () => {
    // What scripts/serve.ts does before Next sees the request; the echo stands in for Next.
    server = createServer((req, res) => {
      stampClientAddress(req, isTrusted);
      res.end(JSON.stringify([req.headers[CLIENT_ADDRESS_HEADER], req.headers["x-forwarded-proto"] ?? null, req.headers["x-forwarded-host"] ?? null]));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("overwrites whatever the caller put in the private header or X-Forwarded-For", async () => {
    const res = await fetch(base, { headers: { [CLIENT_ADDRESS_HEADER]: "10.9.9.9", "x-forwarded-for": "10.1.1.1" } });
    expect((await res.json())[0]).toBe("127.0.0.1");
  });

  it("drops X-Forwarded-Proto and X-Forwarded-Host from a peer that is not a trusted proxy", async () => {
    const res = await fetch(base, { headers: { "x-forwarded-proto": "https", "x-forwarded-host": "evil.example" } });
    expect(await res.json()).toEqual(["127.0.0.1", null, null]);
  });
});
