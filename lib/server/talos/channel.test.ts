/**
 * Transport tests against a stub mTLS server (./testing/stub-server): TLS verification, deadlines,
 * cancellation, channel reuse, endpoint selection and reconnection after a restart.
 * The simulator-based tests are in client.test.ts.
 */
import { getEventListeners } from "node:events";

import { status } from "@grpc/grpc-js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { AppError } from "@/lib/server/platform/errors";

import { closeAllConnections, connectionCount, parseEndpoint } from "./channel";
import { createTalosClient } from "./client";
import { TalosTransport } from "./transport";
import { startStubServer, type StubServer } from "@/test/talos/stub-server";
import { contextFrom, createTestPki, type TestPki } from "@/test/talos/pki";

const HOST = "127.0.32.1";
const HOST2 = "127.0.32.2";

let pki: TestPki;
const servers: StubServer[] = [];

async function stub(opts: Partial<Parameters<typeof startStubServer>[0]> & { host?: string } = {}): Promise<StubServer> {
  const host = opts.host ?? HOST;
  const cert = await pki.serverCert({ ipAddresses: [host] });
  const s = await startStubServer({ host, caPem: pki.ca.certPem, ...cert, ...opts });
  servers.push(s);
  return s;
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => {
      throw new Error("expected the call to fail, but it succeeded");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

beforeAll(async () => {
  pki = await createTestPki();
});

afterEach(async () => {
  closeAllConnections();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

afterAll(() => closeAllConnections());

describe("parseEndpoint", () => {
  it.each([
    ["10.0.0.1", { host: "10.0.0.1", port: 50000 }],
    ["10.0.0.1:50001", { host: "10.0.0.1", port: 50001 }],
    ["cp1.example", { host: "cp1.example", port: 50000 }],
    ["[fd00::1]:50000", { host: "fd00::1", port: 50000 }],
    ["fd00::1", { host: "fd00::1", port: 50000 }],
    ["https://cp1.example:6443", { host: "cp1.example", port: 6443 }],
  ])("%s", (input, expected) => {
    expect(parseEndpoint(input)).toEqual(expected);
  });
});

describe("TLS", () => {
  it("verifies the server against the context CA and presents the client cert", async () => {
    const s = await stub();
    const client = createTalosClient(contextFrom({ caPem: pki.ca.certPem, client: pki.admin, endpoints: [{ host: HOST, port: s.port }] }));
    await expect(client.version(undefined)).resolves.toMatchObject({ tag: "v1.14.0", os: "linux" });
  });

  it("refuses a server certificate whose SANs do not include the dialed host", async () => {
    const cert = await pki.serverCert({ ipAddresses: ["127.0.0.99"], dnsNames: ["elsewhere.example"] });
    const s = await stub({ ...cert });
    const client = createTalosClient(contextFrom({ caPem: pki.ca.certPem, client: pki.admin, endpoints: [{ host: HOST, port: s.port }] }));
    const t0 = Date.now();
    const err = await rejection(client.version(undefined, { timeoutMs: 2000 }));
    expect(Date.now() - t0).toBeLessThan(1000); // a verification failure is not retried
    expect(err.code).toBe("node_unreachable");
    expect(err.node).toBe(HOST);
    expect(err.message).toMatch(/altnames/);
    expect(s.calls.version ?? 0).toBe(0);
  });

  it("refuses a server certificate from another CA", async () => {
    const s = await stub();
    const client = createTalosClient(contextFrom({ caPem: pki.foreignCa.certPem, client: pki.admin, endpoints: [{ host: HOST, port: s.port }] }));
    const err = await rejection(client.version(undefined, { timeoutMs: 2000 }));
    expect(err.code).toBe("node_unreachable");
    expect(err.message).toMatch(/self-signed certificate in certificate chain/);
    expect(s.calls.version ?? 0).toBe(0);
  });

  it("is refused with an expired client certificate", async () => {
    const s = await stub();
    const client = createTalosClient(contextFrom({ caPem: pki.ca.certPem, client: pki.expiredAdmin, endpoints: [{ host: HOST, port: s.port }] }));
    const err = await rejection(client.version(undefined, { timeoutMs: 2000 }));
    expect(err.code).toBe("node_unreachable");
    expect(err.message).toMatch(/the client certificate expired at/);
    expect(s.calls.version ?? 0).toBe(0);
  });

  it("is refused with a client certificate from another CA", async () => {
    const s = await stub();
    const client = createTalosClient(contextFrom({ caPem: pki.ca.certPem, client: pki.foreignAdmin, endpoints: [{ host: HOST, port: s.port }] }));
    const err = await rejection(client.version(undefined, { timeoutMs: 2000 }));
    expect(err.code).toBe("node_unreachable");
    expect(s.calls.version ?? 0).toBe(0);
  });
});

describe("calls", () => {
  it("applies the deadline (node_timeout) and keeps the node", async () => {
    const s = await stub({ handlers: { hostname: () => undefined /* never answers */ } });
    const client = createTalosClient(contextFrom({ caPem: pki.ca.certPem, client: pki.admin, endpoints: [{ host: HOST, port: s.port }] }));
    await client.version(undefined); // connect first, so the timing measures the call alone
    const t0 = Date.now();
    const err = await rejection(client.hostname(undefined, { timeoutMs: 300 }));
    const elapsed = Date.now() - t0;
    expect(err.code).toBe("node_timeout");
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(1000);
  });

  it("cancels a call when its signal aborts", async () => {
    const s = await stub({ handlers: { hostname: () => undefined } });
    const client = createTalosClient(contextFrom({ caPem: pki.ca.certPem, client: pki.admin, endpoints: [{ host: HOST, port: s.port }] }));
    const ac = new AbortController();
    const p = client.hostname(undefined, { signal: ac.signal, timeoutMs: 5000 });
    setTimeout(() => ac.abort(new Error("stop")), 100);
    const t0 = Date.now();
    await expect(p).rejects.toThrow("stop");
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it("leaves no listener on a shared signal once calls have settled", async () => {
    const s = await stub({ handlers: { hostname: (_call, cb) => cb(null, { messages: [{ hostname: "n1" }] }) } });
    const client = createTalosClient(contextFrom({ caPem: pki.ca.certPem, client: pki.admin, endpoints: [{ host: HOST, port: s.port }] }));
    const ac = new AbortController();
    await Promise.all(Array.from({ length: 20 }, () => client.hostname(undefined, { signal: ac.signal })));
    await rejection(client.etcdStatus(undefined, { signal: ac.signal })); // the stub does not implement it
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
  });

  it("a reply that does not decode fails as internal with grpc-js's message", async () => {
    const s = await stub();
    const transport = new TalosTransport(contextFrom({ caPem: pki.ca.certPem, client: pki.admin, endpoints: [{ host: HOST, port: s.port }] }));
    const def = {
      path: "/machine.MachineService/Version",
      requestSerialize: () => Buffer.alloc(0),
      responseDeserialize: (): never => {
        throw new Error("truncated");
      },
    };
    const err = await rejection(transport.unary(def, {}, undefined, undefined, 2000, true));
    expect(err.code).toBe("internal");
    expect(err.message).toBe("Response message parsing error: truncated");
  });

  it("sends `node` metadata (one value, no port) and rejects a target with a port", async () => {
    let seen: unknown[] = [];
    const s = await stub({
      handlers: {
        hostname: (call, cb) => {
          seen = call.metadata.get("node");
          cb(null, { messages: [{ hostname: "n1" }] });
        },
      },
    });
    const client = createTalosClient(contextFrom({ caPem: pki.ca.certPem, client: pki.admin, endpoints: [{ host: HOST, port: s.port }] }));
    await expect(client.hostname("10.5.0.2")).resolves.toBe("n1");
    expect(seen).toEqual(["10.5.0.2"]);
    const err = await rejection(client.hostname("10.5.0.2:50000"));
    expect(err.code).toBe("bad_request");
  });

  it("unwraps messages[] and turns metadata.error into an AppError", async () => {
    const s = await stub({
      handlers: {
        hostname: (_call, cb) =>
          cb(null, { messages: [{ metadata: { hostname: "10.5.0.3", error: "rpc error", status: { code: status.PERMISSION_DENIED, message: "not authorized", details: [] } }, hostname: "" }] }),
      },
    });
    const client = createTalosClient(contextFrom({ caPem: pki.ca.certPem, client: pki.admin, endpoints: [{ host: HOST, port: s.port }] }));
    const err = await rejection(client.hostname("10.5.0.3"));
    expect(err.code).toBe("forbidden");
    expect(err.message).toBe("not authorized");
    expect(err.node).toBe("10.5.0.3");
  });

  it("maps a gRPC status from the server with the Talos message kept", async () => {
    const s = await stub({
      handlers: {
        applyConfiguration: (_call, cb) => cb({ code: status.FAILED_PRECONDITION, details: "another apply configuration is already in progress" }, null),
      },
    });
    const client = createTalosClient(contextFrom({ caPem: pki.ca.certPem, client: pki.admin, endpoints: [{ host: HOST, port: s.port }] }));
    const err = await rejection(client.applyConfiguration("10.5.0.4", { data: "version: v1alpha1", mode: "no-reboot" }));
    expect(err.code).toBe("conflict");
    expect(err.message).toBe("another apply configuration is already in progress");
    expect(err.node).toBe("10.5.0.4");
  });

  it("accepts replies and requests above grpc-js's 4 MiB default (32 MiB like Talos)", async () => {
    let received = 0;
    const big = "x".repeat(10 * 1024 * 1024);
    const s = await stub({
      handlers: {
        hostname: (_call, cb) => cb(null, { messages: [{ hostname: big }] }),
        applyConfiguration: (call, cb) => {
          received = call.request.data.length;
          cb(null, { messages: [{ warnings: [], mode: 2, modeDetails: "ok" }] });
        },
      },
    });
    const client = createTalosClient(contextFrom({ caPem: pki.ca.certPem, client: pki.admin, endpoints: [{ host: HOST, port: s.port }] }));
    expect((await client.hostname(undefined)).length).toBe(big.length);
    await client.applyConfiguration(undefined, { data: big, mode: "no-reboot" });
    expect(received).toBe(big.length);
  });

  it("reuses one channel per endpoint and identity", async () => {
    const s = await stub();
    const ctx = contextFrom({ caPem: pki.ca.certPem, client: pki.admin, endpoints: [{ host: HOST, port: s.port }] });
    const before = connectionCount();
    const a = createTalosClient(ctx);
    const b = createTalosClient({ ...ctx, name: "same-identity" });
    await Promise.all([a.version(undefined), b.version(undefined), a.version(undefined)]);
    expect(connectionCount() - before).toBe(1);
    const c = createTalosClient(contextFrom({ caPem: pki.ca.certPem, client: pki.reader, endpoints: [{ host: HOST, port: s.port }] }));
    await c.version(undefined);
    expect(connectionCount() - before).toBe(2);
  });

  it("picks the first reachable endpoint", async () => {
    const live = await stub({ host: HOST2 });
    const dead = { host: HOST, port: live.port }; // nothing listens on HOST at that port
    const client = createTalosClient(contextFrom({ caPem: pki.ca.certPem, client: pki.admin, endpoints: [dead, { host: HOST2, port: live.port }] }));
    await expect(client.version(undefined)).resolves.toMatchObject({ tag: "v1.14.0" });
    expect(client.endpoint).toEqual({ host: HOST2, port: live.port });
  });

  it("works again after the server restarts on the same port", async () => {
    const s = await stub({ tag: "v1.13.0" });
    const client = createTalosClient(contextFrom({ caPem: pki.ca.certPem, client: pki.admin, endpoints: [{ host: HOST, port: s.port }] }));
    await expect(client.version(undefined)).resolves.toMatchObject({ tag: "v1.13.0" });
    await s.stop();
    const down = await rejection(client.version(undefined, { timeoutMs: 500 }));
    expect(down.code).toBe("node_unreachable");
    await stub({ port: s.port, tag: "v1.14.0" });
    await expect(client.version(undefined)).resolves.toMatchObject({ tag: "v1.14.0" });
  });

  it("fails a down endpoint with node_unreachable within the deadline", async () => {
    const client = createTalosClient(contextFrom({ caPem: pki.ca.certPem, client: pki.admin, endpoints: [{ host: HOST, port: 1 }] }));
    const t0 = Date.now();
    const err = await rejection(client.version(undefined, { timeoutMs: 1000 }));
    expect(err.code).toBe("node_unreachable");
    expect(Date.now() - t0).toBeLessThan(1000 + 1000);
  });
});
