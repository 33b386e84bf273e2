/**
 * `npm run sim -- --control-planes 3 --workers 5 [--clusters N] [--version v1.13.9]
 *   [--state-dir .minos/sim] [--control-port 50099] [--reboot-seconds 20] [--boot-seconds 10]
 *   [--ready-seconds 2] [--upgrade-seconds 5] [--first-address 127.0.10.1] [--ports]
 *   [--base-port 50000] [--node-version <hostname|address>=<version> ...]
 *   [--client-cert-hours H] [--apid-cert-hours H] [--apid-cert-age-hours H] [--ca-days D]
 *   [--leaf-secrets] [--pod-seconds 2] [--talos-drain-seconds 300] [--extension-services iscsid,...]`
 *
 * Prints the talosconfig paths and the control URL, then one machine-readable line
 * `MINOS_SIM_READY {"talosconfig":"…","controlUrl":"…"}` (read by the Minos launcher).
 */
import { parseArgs } from "node:util";

import { z } from "zod";

import { DEFAULT_TALOS_VERSION, type Fleet, startFleet } from "./fleet";
import { isTalosTag } from "../talos/version";

const USAGE = `usage: npm run sim -- --control-planes N --workers N [options]

  --control-planes N     control-plane nodes per cluster (required, >= 1)
  --workers N            worker nodes per cluster (required, >= 0)
  --clusters N           number of clusters, named sim-1, sim-2, ... (default 1)
  --version vX.Y.Z       Talos version of every node (default ${DEFAULT_TALOS_VERSION})
  --node-version H=V     per-node version, H = hostname or address (repeatable)
  --state-dir DIR        PKI, secrets and talosconfigs (default .minos/sim)
  --control-port N       control API port on 127.0.0.1, 0 = any (default 50099)
  --reboot-seconds S     time a rebooting node is unreachable (default 20)
  --boot-seconds S       time in BOOTING (default 10)
  --ready-seconds S      time from RUNNING to ready (default 2)
  --upgrade-seconds S    installer run time (default 5)
  --first-address A      first node address (default 127.0.10.1)
  --ports                all nodes on 127.0.0.1 with distinct ports
  --base-port N          first port (default 50000)
  --client-cert-hours H  talosconfig client certificate lifetime (default 8760)
  --apid-cert-hours H    apid server certificate lifetime (default 24)
  --apid-cert-age-hours H  how long ago the apid certificates were issued (default 0)
  --ca-days D            lifetime of CAs created now (default 3650)
  --leaf-secrets         serve etcd and kube-apiserver leaf certificates from the secrets resources
  --pod-seconds S        Kubernetes: pod start, pod termination and kubelet restart time (default 2)
  --talos-drain-seconds S  Talos's own drain timeout on legacy upgrades and shutdowns (default 300)
  --extension-services L   comma-separated system extension services on every node (ext-<name>)
  -h, --help             this help`;

const num = (name: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (v.trim() === "" || !Number.isFinite(n)) {
        ctx.addIssue({ code: "custom", message: `--${name} must be a number, got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return n;
    });

const argsSchema = z.object({
  "control-planes": num("control-planes").refine((v) => v !== undefined, "--control-planes is required"),
  workers: num("workers").refine((v) => v !== undefined, "--workers is required"),
  clusters: num("clusters"),
  version: z.string().refine((v) => isTalosTag(v), "--version must look like v1.13.9").optional(),
  "node-version": z
    .array(z.string().regex(/^[^=]+=v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, "--node-version must be <hostname|address>=<version>"))
    .optional(),
  "state-dir": z.string().min(1).default(".minos/sim"),
  "control-port": num("control-port"),
  "reboot-seconds": num("reboot-seconds"),
  "boot-seconds": num("boot-seconds"),
  "ready-seconds": num("ready-seconds"),
  "upgrade-seconds": num("upgrade-seconds"),
  "first-address": z.string().optional(),
  ports: z.boolean().optional(),
  "base-port": num("base-port"),
  "client-cert-hours": num("client-cert-hours"),
  "apid-cert-hours": num("apid-cert-hours"),
  "apid-cert-age-hours": num("apid-cert-age-hours"),
  "ca-days": num("ca-days"),
  "leaf-secrets": z.boolean().optional(),
  "pod-seconds": num("pod-seconds"),
  "talos-drain-seconds": num("talos-drain-seconds"),
  "extension-services": z.string().optional(),
});

function fail(message: string): never {
  process.stderr.write(`sim: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      options: {
        "control-planes": { type: "string" },
        workers: { type: "string" },
        clusters: { type: "string" },
        version: { type: "string" },
        "node-version": { type: "string", multiple: true },
        "state-dir": { type: "string" },
        "control-port": { type: "string" },
        "reboot-seconds": { type: "string" },
        "boot-seconds": { type: "string" },
        "ready-seconds": { type: "string" },
        "upgrade-seconds": { type: "string" },
        "first-address": { type: "string" },
        ports: { type: "boolean" },
        "base-port": { type: "string" },
        "client-cert-hours": { type: "string" },
        "apid-cert-hours": { type: "string" },
        "apid-cert-age-hours": { type: "string" },
        "ca-days": { type: "string" },
        "leaf-secrets": { type: "boolean" },
        "pod-seconds": { type: "string" },
        "talos-drain-seconds": { type: "string" },
        "extension-services": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) fail(parsed.error.issues.map((i) => i.message).join("\n"));
  const a = parsed.data;
  const nodeVersions = Object.fromEntries(
    (a["node-version"] ?? []).map((kv) => {
      const [k, v] = kv.split("=") as [string, string];
      return [k, v.startsWith("v") ? v : `v${v}`];
    }),
  );

  const t0 = Date.now();
  let fleet: Fleet;
  try {
    fleet = await startFleet({
      controlPlanes: a["control-planes"]!,
      workers: a.workers!,
      clusters: a.clusters,
      version: a.version,
      nodeVersions,
      stateDir: a["state-dir"],
      controlPort: a["control-port"],
      rebootSeconds: a["reboot-seconds"],
      bootSeconds: a["boot-seconds"],
      readySeconds: a["ready-seconds"],
      upgradeSeconds: a["upgrade-seconds"],
      firstAddress: a["first-address"],
      ports: a.ports,
      basePort: a["base-port"],
      clientCertValidHours: a["client-cert-hours"],
      apidCert: {
        validHours: a["apid-cert-hours"],
        notBefore: a["apid-cert-age-hours"] === undefined ? undefined : new Date(Date.now() - a["apid-cert-age-hours"] * 3_600_000),
      },
      caValidDays: a["ca-days"],
      leafSecrets: a["leaf-secrets"],
      podSeconds: a["pod-seconds"],
      talosDrainSeconds: a["talos-drain-seconds"],
      extensionServices: a["extension-services"]?.split(",").map((s) => s.trim()).filter(Boolean),
    });
  } catch (e) {
    process.stderr.write(`sim: ${(e as Error).message}\n`);
    process.exit(1);
  }

  const mib = (process.memoryUsage().rss / 1024 / 1024).toFixed(0);
  const first = fleet.nodes[0]!;
  const last = fleet.nodes[fleet.nodes.length - 1]!;
  process.stdout.write(
    [
      `Minos Talos simulator: ${fleet.nodes.length} nodes in ${fleet.clusters.length} cluster(s) (${fleet.clusters.join(", ")}), ` +
        `${first.address}:${first.port} … ${last.address}:${last.port}; started in ${Date.now() - t0} ms, RSS ${mib} MiB`,
      `  talosconfig (admin):    ${fleet.talosconfig.admin}`,
      `  talosconfig (operator): ${fleet.talosconfig.operator}`,
      `  talosconfig (reader):   ${fleet.talosconfig.reader}`,
      `  control API:            ${fleet.controlUrl}  (GET /nodes, GET /timeline, GET /kubernetes?cluster=, POST /faults, DELETE /faults)`,
      ...fleet.clusters.map((c) => `  Kubernetes API ${c}: ${fleet.kubernetes.url(c)}  (kubeconfig: talosctl kubeconfig, or MachineService.Kubeconfig)`),
      `MINOS_SIM_READY ${JSON.stringify({ talosconfig: fleet.talosconfig.admin, controlUrl: fleet.controlUrl, talosconfigs: fleet.talosconfig, nodes: fleet.nodes.length })}`,
      "",
    ].join("\n"),
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`sim: ${signal}, stopping\n`);
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    fleet.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  // Keep the process alive (node timers are unref'd; the listeners keep it alive anyway).
  setInterval(() => {}, 1 << 30);
}

void main();
