/**
 * Test PKI helpers: client contexts built straight from simulator PKI material, without files.
 */
import { createCa, createForeignCa, issueClientCert, issueServerCert, type CertAndKey } from "@/lib/talos/pki";

import type { TalosClientContext } from "@/lib/server/talos";

export interface TestPki {
  ca: CertAndKey;
  foreignCa: CertAndKey;
  admin: CertAndKey;
  reader: CertAndKey;
  /** Expired an hour ago. */
  expiredAdmin: CertAndKey;
  /** An admin certificate from the foreign CA. */
  foreignAdmin: CertAndKey;
  serverCert(options: { ipAddresses?: string[]; dnsNames?: string[] }): Promise<CertAndKey>;
}

export async function createTestPki(): Promise<TestPki> {
  const ca = await createCa();
  const foreignCa = await createForeignCa();
  const [admin, reader, expiredAdmin, foreignAdmin] = await Promise.all([
    issueClientCert(ca, { roles: ["os:admin"] }),
    issueClientCert(ca, { roles: ["os:reader"] }),
    issueClientCert(ca, { roles: ["os:admin"], notBefore: new Date(Date.now() - 3 * 3600_000), validHours: 2 }),
    issueClientCert(foreignCa, { roles: ["os:admin"] }),
  ]);
  return {
    ca,
    foreignCa,
    admin,
    reader,
    expiredAdmin,
    foreignAdmin,
    serverCert: (o) => issueServerCert(ca, { commonName: "stub.example", ...o }),
  };
}

/** A client context from PEM material (the key is already PKCS#8 `PRIVATE KEY`). */
export function contextFrom(options: {
  name?: string;
  caPem: string;
  client: CertAndKey;
  endpoints: { host: string; port: number }[];
  roles?: string[];
}): TalosClientContext {
  return {
    name: options.name ?? "test",
    endpoints: options.endpoints,
    nodes: [],
    caPem: options.caPem,
    certPem: options.client.certPem,
    keyPem: options.client.keyPem,
    roles: options.roles ?? [],
  };
}
