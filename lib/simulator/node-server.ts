/**
 * The gRPC listener of one simulated node: opened while the node is reachable, force-closed when
 * it reboots or gets the `down` fault (clients then see UNAVAILABLE), reopened on the same
 * address and port. A closed grpc-js Server cannot be restarted, so each opening is a new one.
 */
import * as grpc from "@grpc/grpc-js";

import type { SimNode } from "./node-state";

export interface ServiceBinding {
  definition: grpc.ServiceDefinition;
  implementation: grpc.UntypedServiceImplementation;
}

/** 32 MiB, Talos's GRPCMaxMessageSize. */
const MAX_MESSAGE = 32 * 1024 * 1024;

const COSI_WRITES = ["Create", "Update", "Destroy", "Teardown", "TeardownAndDestroy"].map((m) => `/cosi.resource.State/${m}`);

export class NodeServer {
  private server: grpc.Server | undefined;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly node: SimNode,
    private readonly credentials: grpc.ServerCredentials,
    private readonly services: ServiceBinding[],
    private readonly onError: (node: SimNode, e: unknown) => void,
  ) {}

  get listening(): boolean {
    return this.server !== undefined;
  }

  /** Brings the listener in line with the node's reachability; calls are serialised. */
  reconcile(): Promise<void> {
    this.chain = this.chain.then(() => this.apply()).catch((e) => this.onError(this.node, e));
    return this.chain;
  }

  stop(): Promise<void> {
    this.stopped = true;
    return this.reconcile();
  }

  private async apply(): Promise<void> {
    const want = this.node.reachable && !this.stopped;
    if (want && !this.server) await this.open();
    else if (!want && this.server) {
      const s = this.server;
      this.server = undefined;
      // Drop every connection at once, like a machine going away.
      s.forceShutdown();
    }
  }

  private async open(): Promise<void> {
    const server = new grpc.Server({
      "grpc.max_receive_message_length": MAX_MESSAGE,
      "grpc.max_send_message_length": MAX_MESSAGE,
    });
    for (const s of this.services) server.addService(s.definition, s.implementation);
    const identity = (b: Buffer) => b;
    for (const path of COSI_WRITES) {
      // The access filter denies all writes over the Talos API.
      server.register(
        path,
        (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) =>
          cb({ code: grpc.status.PERMISSION_DENIED, details: "write access is not allowed" }),
        identity,
        identity,
        "unary",
      );
    }
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${this.node.address}:${this.node.port}`, this.credentials, (err, p) => (err ? reject(err) : resolve(p))),
    );
    // With an ephemeral port the first bind picks it; reboots reuse it.
    this.node.port = port;
    this.server = server;
  }
}
