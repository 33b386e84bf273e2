/**
 * The HTTPS listener of one simulated cluster's Kubernetes API: TLS with a serving certificate
 * from the cluster's Kubernetes CA, client certificates of that CA required (401 Status without
 * one, 403 unless the certificate is in `system:masters`, as Talos's admin kubeconfig is), JSON
 * replies and line-delimited watch streams. Closed (connections refused) while the cluster has
 * the `kube-api-down` fault.
 */
import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";

import type { CertAndKey } from "../../talos/pki";
import type { KubeCluster } from "./cluster";
import { RESOURCES, type ResourceInfo } from "./objects";
import type { KubeReply, KubeUser, Router, WatchReply } from "./router";
import { KubeError, unauthorized } from "./status";
import type { StoreEvent } from "./store";
import { served } from "./routes/generic";

const MAX_BODY = 3 * 1024 * 1024;

function asList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "cache-control": "no-cache, private" });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new KubeError(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const infoOf = (resource: string): ResourceInfo => Object.values(RESOURCES).find((r) => r.resource === resource)!;

export interface KubeListenOptions {
  address: string;
  /** Addresses tried in turn when `address` is taken at the first listen (another fleet on this host). */
  fallbackAddresses?: string[];
  port: number;
  certPem: string;
  keyPem: string;
  caPem: string;
}

export class KubeApiServer {
  private server: https.Server | undefined;
  private readonly sockets = new Set<Socket>();
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  /** The bound port (the ephemeral one after the first listen when asked for 0). */
  port: number;
  /** The bound address (a fallback when the preferred one was taken). */
  address: string;
  /** Why the last open failed, if it did. */
  lastError: Error | undefined;
  private opened = false;

  constructor(
    readonly cluster: KubeCluster,
    private readonly router: Router,
    private opts: KubeListenOptions,
  ) {
    this.port = opts.port;
    this.address = opts.address;
  }

  get url(): string {
    return `https://${this.address}:${this.port}`;
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  /** Opens or closes the listener to match the cluster's `kube-api-down` fault; serialised. */
  reconcile(): Promise<void> {
    this.chain = this.chain.then(() => this.apply()).catch((e: unknown) => {
      this.lastError = e instanceof Error ? e : new Error(String(e));
      process.stderr.write(`simulator: Kubernetes API of ${this.cluster.name} (${this.address}:${this.port}): ${this.lastError.message}\n`);
    });
    return this.chain;
  }

  stop(): Promise<void> {
    this.stopped = true;
    return this.reconcile();
  }

  private async apply(): Promise<void> {
    const want = !this.stopped && !this.cluster.apiDown;
    if (want && !this.server) await this.open();
    else if (!want && this.server) {
      const s = this.server;
      this.server = undefined;
      for (const sock of this.sockets) sock.destroy();
      this.sockets.clear();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  }

  private async open(): Promise<void> {
    const candidates = this.opened ? [this.address] : [this.opts.address, ...(this.opts.fallbackAddresses ?? [])];
    for (const [i, address] of candidates.entries()) {
      try {
        await this.listenOn(address);
        this.address = address;
        this.opened = true;
        this.lastError = undefined;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE" || i === candidates.length - 1) throw e;
      }
    }
  }

  private async listenOn(address: string): Promise<void> {
    const server = https.createServer({ cert: this.opts.certPem, key: this.opts.keyPem, ca: this.opts.caPem, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        const err = e instanceof KubeError ? e : new KubeError(500, "InternalError", `Internal error occurred: ${e instanceof Error ? e.message : String(e)}`);
        if (!res.headersSent) send(res, err.code, err.toStatus());
        else res.destroy();
      });
    });
    server.on("secureConnection", (sock: TLSSocket) => {
      this.sockets.add(sock);
      sock.on("close", () => this.sockets.delete(sock));
    });
    server.on("tlsClientError", () => {});
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, address, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const addr = server.address();
    if (typeof addr === "object" && addr) this.port = addr.port;
    this.server = server;
  }

  /** The serving certificate in use. */
  servingPair(): CertAndKey {
    return { certPem: this.opts.certPem, keyPem: this.opts.keyPem };
  }

  /**
   * Replaces the serving certificate and the accepted client CAs (kube-apiserver picks up
   * rotated certificates without a restart): new handshakes use them, open connections keep theirs.
   */
  setTls(tls: { certPem: string; keyPem: string; caPem: string }): void {
    this.opts.certPem = tls.certPem;
    this.opts.keyPem = tls.keyPem;
    this.opts.caPem = tls.caPem;
    this.server?.setSecureContext({ cert: tls.certPem, key: tls.keyPem, ca: tls.caPem });
  }

  /** The caller from its client certificate: CN = user, O = groups. */
  private authenticate(req: http.IncomingMessage): KubeUser {
    const sock = req.socket as TLSSocket;
    if (!sock.authorized) throw unauthorized();
    const cert = sock.getPeerCertificate();
    const cn = asList(cert.subject?.CN as string | string[] | undefined)[0] ?? "";
    const groups = asList(cert.subject?.O as string | string[] | undefined);
    if (!cn) throw unauthorized();
    return { name: cn, groups: [...groups, "system:authenticated"] };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const user = this.authenticate(req);
    const url = new URL(req.url ?? "/", "https://localhost");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const { handler, params } = this.router.match(req.method ?? "GET", path);
    if (!user.groups.includes("system:masters")) {
      // RBAC is not simulated: only cluster-admins (system:masters) are allowed anything.
      throw new KubeError(403, "Forbidden", `forbidden: User ${JSON.stringify(user.name)} cannot ${(req.method ?? "GET").toLowerCase()} path ${JSON.stringify(path)}`);
    }
    const reply: KubeReply = await handler({ method: req.method ?? "GET", path, params, query: url.searchParams, headers: req.headers, body: () => readBody(req), user, cluster: this.cluster });
    if ("watch" in reply) return this.stream(req, res, reply);
    send(res, reply.status, reply.body);
  }

  private stream(req: http.IncomingMessage, res: http.ServerResponse, reply: WatchReply): void {
    const { resource, filter, since, timeoutSeconds } = reply.watch;
    const info = infoOf(resource);
    const store = this.cluster.store;
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked", "cache-control": "no-cache, private" });
    // A watch with nothing to replay must still answer now: clients wait for the headers.
    res.flushHeaders();
    const write = (type: string, object: unknown) => res.write(JSON.stringify({ type, object }) + "\n");
    const forward = (e: StoreEvent) => {
      if (e.resource === resource && filter(e.object)) write(e.type, served(info, e.object));
    };
    let backlog: StoreEvent[] = [];
    if (since === undefined) {
      for (const o of store.list(resource)) if (filter(o)) write("ADDED", served(info, o));
    } else {
      try {
        backlog = store.eventsSince(resource, since);
      } catch (e) {
        // A watch learns about an expired resourceVersion from an ERROR event, not the HTTP status.
        if (e instanceof KubeError) {
          write("ERROR", e.toStatus());
          res.end();
          return;
        }
        throw e;
      }
    }
    for (const e of backlog) forward(e);
    const unsub = store.subscribe(forward);
    let timer: NodeJS.Timeout | undefined;
    const end = () => {
      unsub();
      if (timer) clearTimeout(timer);
      if (!res.writableEnded) res.end();
    };
    if (timeoutSeconds !== undefined && timeoutSeconds > 0) timer = setTimeout(end, timeoutSeconds * 1000);
    req.on("close", end);
    res.on("close", end);
  }
}

