import "server-only";

import { isIP } from "node:net";
import tls from "node:tls";

import { AppError } from "@/lib/server/platform/errors";

/** What a node presented in the TLS handshake. */
export interface ServedCertificate {
  /** The leaf the server presented, PEM. */
  pem: string;
  /** Why the certificate did not verify against the talosconfig CA (expired, wrong CA, name); null when it did. */
  verifyError: string | null;
}

/** The TLS material of a talosconfig context. */
export interface HandshakeCredentials {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/**
 * Opens a TLS connection to apid, reads the certificate the server presents, and closes it: no
 * gRPC call, so it costs one handshake and works with any role. The client certificate is
 * presented because apid requires one. Verification failures do not abort the handshake (an
 * expired server certificate is exactly what the inventory must show); they are returned instead.
 *
 * @throws AppError node_unreachable when the connection fails, node_timeout after `timeoutMs`.
 */
export function fetchServedCertificate(
  target: { host: string; port: number },
  credentials: HandshakeCredentials,
  timeoutMs = 5_000,
  node = target.host,
): Promise<ServedCertificate> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const socket = tls.connect({
      host: target.host,
      port: target.port,
      ca: credentials.caPem,
      cert: credentials.certPem,
      key: credentials.keyPem,
      // An IP literal as SNI is deprecated (DEP0123) and Talos ignores SNI anyway.
      ...(isIP(target.host) ? {} : { servername: target.host }),
      ALPNProtocols: ["h2"],
      rejectUnauthorized: false,
    });
    const finish = (outcome: { ok: ServedCertificate } | { err: AppError }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if ("ok" in outcome) resolve(outcome.ok);
      else reject(outcome.err);
    };
    const timer = setTimeout(
      () => finish({ err: new AppError("node_timeout", `No TLS handshake from ${target.host}:${target.port} within ${timeoutMs} ms`, { node }) }),
      timeoutMs,
    );
    socket.once("secureConnect", () => {
      const peer = socket.getPeerX509Certificate();
      if (!peer) {
        finish({ err: new AppError("node_unreachable", `${target.host}:${target.port} presented no certificate`, { node }) });
        return;
      }
      const verifyError = socket.authorized ? null : String(socket.authorizationError ?? "not verified");
      finish({ ok: { pem: peer.toString(), verifyError } });
    });
    socket.once("error", (e: NodeJS.ErrnoException) => {
      finish({
        err: new AppError("node_unreachable", `TLS connection to ${target.host}:${target.port} failed: ${e.code ?? e.message}`, { node, cause: e }),
      });
    });
  });
}
