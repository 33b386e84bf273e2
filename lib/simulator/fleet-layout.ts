/** Where each simulated node lives: hostname, role, cluster, loopback address or port, version. */
import type { ResolvedOptions } from "./fleet-options";
import type { NodeRole } from "./node-state";

function* loopbackAddresses(first: string): Generator<string> {
  let n = first.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  const max = 127 * 2 ** 24 + 2 ** 24 - 1;
  while (n <= max) {
    const last = n & 255;
    if (last !== 0 && last !== 255) yield [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, last].join(".");
    n++;
  }
}

export interface Layout {
  id: string;
  hostname: string;
  address: string;
  port: number;
  role: NodeRole;
  cluster: string;
  version: string;
}

export function layoutNodes(o: ResolvedOptions): Layout[] {
  const addrs = loopbackAddresses(o.firstAddress);
  const out: Layout[] = [];
  let i = 0;
  for (let c = 1; c <= o.clusters; c++) {
    const cluster = `sim-${c}`;
    const add = (role: NodeRole, k: number) => {
      const hostname = `${cluster}-${role}-${k}`;
      let address: string;
      let port: number;
      if (o.ports) {
        address = "127.0.0.1";
        port = o.basePort === 0 ? 0 : o.basePort + i;
      } else {
        const next = addrs.next();
        if (next.done) throw new Error("ran out of loopback addresses: choose a lower firstAddress");
        address = next.value;
        port = o.basePort;
      }
      if (port > 65535) throw new Error(`port ${port} for ${hostname} is out of range: lower basePort or the node count`);
      const version = o.nodeVersions[hostname] ?? (o.ports ? undefined : o.nodeVersions[address]) ?? o.version;
      out.push({ id: hostname, hostname, address, port, role, cluster, version });
      i++;
    };
    for (let k = 1; k <= o.controlPlanes; k++) add("controlplane", k);
    for (let k = 1; k <= o.workers; k++) add("worker", k);
  }
  return out;
}
