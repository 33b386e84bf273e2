/**
 * A minimal mTLS MachineService server for client tests that need control over TLS material or
 * timing (a server certificate whose SANs miss the host, a slow handler, a restart on the same
 * port). Everything else is tested against lib/simulator.
 */
import * as grpc from "@grpc/grpc-js";

import { MachineServiceService, type MachineServiceServer } from "@/lib/third_party/talos-proto/gen/machine/machine";

export interface StubServerOptions {
  host: string;
  /** 0 = ephemeral. */
  port?: number;
  caPem: string;
  certPem: string;
  keyPem: string;
  /** Override handlers; Version answers `tag` by default. */
  handlers?: Partial<MachineServiceServer>;
  tag?: string;
}

export interface StubServer {
  host: string;
  port: number;
  /** Counts calls per method name. */
  calls: Record<string, number>;
  stop(): Promise<void>;
}

export async function startStubServer(opts: StubServerOptions): Promise<StubServer> {
  const server = new grpc.Server({ "grpc.max_receive_message_length": 32 * 1024 * 1024, "grpc.max_send_message_length": 32 * 1024 * 1024 });
  const calls: Record<string, number> = {};
  const count = (name: string) => {
    calls[name] = (calls[name] ?? 0) + 1;
  };
  const impl: Partial<MachineServiceServer> = {
    version: (_call, cb) => {
      count("version");
      cb(null, { messages: [{ version: { tag: opts.tag ?? "v1.14.0", sha: "stub", built: "", goVersion: "", os: "linux", arch: "amd64" } }] });
    },
    ...opts.handlers,
  };
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(impl)) {
    wrapped[name] = (call: unknown, cb: unknown) => {
      if (name !== "version") count(name);
      return (fn as (c: unknown, cb: unknown) => void)(call, cb);
    };
  }
  server.addService(MachineServiceService, wrapped as unknown as MachineServiceServer);
  const creds = grpc.ServerCredentials.createSsl(Buffer.from(opts.caPem), [{ private_key: Buffer.from(opts.keyPem), cert_chain: Buffer.from(opts.certPem) }], true);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${opts.host}:${opts.port ?? 0}`, creds, (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    host: opts.host,
    port,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}
