import "server-only";

import { TALOS_API_PORT } from "@/lib/talos/constants";

import { createHash } from "node:crypto";
import { isIPv6 } from "node:net";
import { checkServerIdentity, type PeerCertificate } from "node:tls";

import * as grpc from "@grpc/grpc-js";
import { processState } from "@/lib/server/platform/process-state";

/** Talos's `GRPCMaxMessageSize`, applied on both directions (`constants.GRPCMaxMessageSize` in pkg/machinery/constants). */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

/** The apid port (`constants.ApidPort`), used when an endpoint or node has none. */
export const APID_PORT = TALOS_API_PORT;

export interface Endpoint {
  host: string;
  port: number;
}

/** PEM material from a talosconfig context (the key already rewritten to `PRIVATE KEY`). */
export interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** One HTTP/2 channel to one endpoint with one identity; shared by every call through it. */
export interface Connection {
  readonly key: string;
  readonly endpoint: Endpoint;
  /** A bare grpc-js client: unary calls go to its channel (`createCall`), streams through `makeServerStreamRequest`. */
  readonly client: grpc.Client;
}

/** `host:port`, with brackets for IPv6. */
export function endpointTarget(ep: Endpoint): string {
  return isIPv6(ep.host) ? `[${ep.host}]:${ep.port}` : `${ep.host}:${ep.port}`;
}

/** Parses `host`, `host:port`, `[v6]:port` or a bare IPv6 address; the port defaults to 50000. */
export function parseEndpoint(input: string, defaultPort = APID_PORT): Endpoint {
  const s = input.trim().replace(/^https?:\/\//, "");
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : defaultPort };
  if (isIPv6(s)) return { host: s, port: defaultPort };
  const hostPort = /^([^:]+):(\d+)$/.exec(s);
  if (hostPort) return { host: hostPort[1]!, port: Number(hostPort[2]) };
  return { host: s, port: defaultPort };
}

/** A short digest of the TLS identity; part of every connection key. */
export function tlsFingerprint(tls: TlsMaterial): string {
  return createHash("sha256").update(tls.caPem).update("\0").update(tls.certPem).update("\0").update(tls.keyPem).digest("hex").slice(0, 32);
}

export function connectionKey(ep: Endpoint, tls: TlsMaterial, fingerprint = tlsFingerprint(tls)): string {
  return `${endpointTarget(ep)}|${fingerprint}`;
}

/**
 * Channel options. Reconnect backoff is capped low (default 120 s) so a node that comes back from a
 * reboot is usable within seconds; the message size matches Talos on both sides.
 */
export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
  "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
  "grpc.initial_reconnect_backoff_ms": 250,
  "grpc.min_reconnect_backoff_ms": 250,
  "grpc.max_reconnect_backoff_ms": 3000,
  // Without this, a grpc-js channel shares subchannels process-wide; each connection is its own.
  "grpc.use_local_subchannel_pool": 1,
};

/**
 * Channel credentials: the server is verified against the context's CA, with the endpoint's host
 * checked against the server certificate's SANs (Talos puts the node's IPs and names there, so
 * dial an address from the certificate); the client certificate is presented for mTLS.
 */
export function createChannelCredentials(ep: Endpoint, tls: TlsMaterial): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(Buffer.from(tls.caPem), Buffer.from(tls.keyPem), Buffer.from(tls.certPem), {
    checkServerIdentity: (_servername: string, cert: PeerCertificate) => checkServerIdentity(ep.host, cert),
  });
}

/** Process-wide (see process-state.ts) so `next dev` module reloads reuse channels instead of leaking them. */
function cache(): Map<string, Connection> {
  const g = processState<{ __minosTalosConnections?: Map<string, Connection> }>();
  return (g.__minosTalosConnections ??= new Map());
}

/**
 * The cached connection for an endpoint and identity, created on first use. Pass the identity's
 * {@link tlsFingerprint} when calling often, to skip hashing the PEM material each time.
 */
export function getConnection(ep: Endpoint, tls: TlsMaterial, fingerprint?: string): Connection {
  const key = connectionKey(ep, tls, fingerprint);
  const connections = cache();
  const existing = connections.get(key);
  if (existing) return existing;
  const client = new grpc.Client(endpointTarget(ep), createChannelCredentials(ep, tls), CHANNEL_OPTIONS);
  const conn: Connection = { key, endpoint: ep, client };
  connections.set(key, conn);
  return conn;
}

/** Closes one cached connection (e.g. when its talosconfig is replaced). */
export function closeConnection(key: string): void {
  const connections = cache();
  const conn = connections.get(key);
  if (!conn) return;
  connections.delete(key);
  conn.client.close();
}

/** Closes every cached connection, or those matching `filter`. */
export function closeAllConnections(filter?: (conn: Connection) => boolean): void {
  for (const conn of [...cache().values()]) {
    if (!filter || filter(conn)) closeConnection(conn.key);
  }
}

/** The number of cached connections (for tests and metrics). */
export function connectionCount(): number {
  return cache().size;
}

export function connectivityState(conn: Connection, tryToConnect = false): grpc.connectivityState {
  return conn.client.getChannel().getConnectivityState(tryToConnect);
}

/** Resolves true once the channel is READY, false at the deadline. */
export function waitForReady(conn: Connection, deadline: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (Date.now() >= deadline) return resolve(connectivityState(conn, true) === grpc.connectivityState.READY);
    conn.client.waitForReady(deadline, (err) => resolve(!err));
  });
}
