/**
 * The simulator's control API (plain HTTP + JSON on 127.0.0.1): read node state and the event
 * timeline, inject and clear faults. Errors use the project's envelope `{error: {code, message}}`.
 */
import http from "node:http";

import { z } from "zod";

import { type FaultSpec, faultSpecSchema } from "./faults";
import type { TimelineEntry } from "./node-state";
import type { ClusterRecipe } from "./recipe";

export interface NodeRow {
  id: string;
  address: string;
  port: number;
  hostname: string;
  cluster: string;
  role: "controlplane" | "worker";
  /** Running Talos version. */
  version: string;
  /** Version the bootloader boots next (differs after a LifecycleService upgrade until Reboot). */
  installedVersion: string;
  stage: string;
  ready: boolean;
  configHash: string;
  bootId: string;
  reachable: boolean;
  faults: Array<Record<string, unknown>>;
  /** Open Logs/Dmesg streams on the node (a cancelled stream leaves this count at once). */
  logStreams: number;
}

export interface ControlBackend {
  nodes(): NodeRow[];
  timeline(): TimelineEntry[];
  /** Throws UnknownNodeError for an unknown node. */
  setFault(spec: FaultSpec): NodeRow;
  /** Returns how many nodes had faults cleared; throws UnknownNodeError for an unknown node. */
  clearFaults(node?: string): number;
  /**
   * Powers on a node that is off (shut down, or halted by a reset); `poweredOn` is false when it
   * was not off. Throws UnknownNodeError for an unknown node.
   */
  powerOn(node: string): { row: NodeRow; poweredOn: boolean };
  /** The cluster's recipe (./recipe.ts), or undefined for an unknown cluster. */
  recipe(cluster: string): ClusterRecipe | undefined;
  /** The cluster's Kubernetes objects (nodes, pods, PDBs, workloads), or undefined for an unknown cluster. */
  kubernetes(cluster: string): Record<string, unknown> | undefined;
}

export class UnknownNodeError extends Error {
  constructor(readonly node: string) {
    super(`unknown node ${JSON.stringify(node)} (use an address or hostname from GET /nodes)`);
  }
}

const recipeQuerySchema = z.object({ cluster: z.string().min(1, "name a cluster (GET /nodes lists them)") });

const timelineQuerySchema = z.object({
  since: z.coerce.number().int().min(0).optional(),
  node: z.string().min(1).optional(),
});

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function fail(res: http.ServerResponse, status: number, code: string, message: string, details?: unknown): void {
  send(res, status, { error: { code, message, ...(details === undefined ? {} : { details }) } });
}

const MAX_BODY = 64 * 1024;

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error("body too large"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join(".") + ": " : ""}${i.message}`).join("; ");
}

async function handle(backend: ControlBackend, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const route = `${req.method} ${url.pathname.replace(/\/+$/, "") || "/"}`;
  const power = /^POST \/nodes\/([^/]+)\/power-on$/.exec(route);
  if (power) {
    try {
      const { row, poweredOn } = backend.powerOn(decodeURIComponent(power[1]!));
      if (!poweredOn) return fail(res, 409, "not_powered_off", `node ${row.hostname} is not powered off (stage ${row.stage})`);
      return send(res, 200, row);
    } catch (e) {
      if (e instanceof UnknownNodeError) return fail(res, 404, "unknown_node", e.message);
      throw e;
    }
  }
  switch (route) {
    case "GET /health":
      return send(res, 200, { ok: true });
    case "GET /nodes":
      return send(res, 200, backend.nodes());
    case "GET /timeline": {
      const q = timelineQuerySchema.safeParse(Object.fromEntries(url.searchParams));
      if (!q.success) return fail(res, 400, "invalid_query", issuesText(q.error), q.error.issues);
      let entries = backend.timeline();
      if (q.data.since !== undefined) entries = entries.filter((e) => e.time >= q.data.since!);
      if (q.data.node) entries = entries.filter((e) => e.node === q.data.node || e.hostname === q.data.node);
      return send(res, 200, entries);
    }
    case "GET /recipe": {
      const q = recipeQuerySchema.safeParse({ cluster: url.searchParams.get("cluster") ?? "" });
      if (!q.success) return fail(res, 400, "invalid_query", issuesText(q.error), q.error.issues);
      const recipe = backend.recipe(q.data.cluster);
      if (!recipe) return fail(res, 404, "unknown_cluster", `unknown cluster ${JSON.stringify(q.data.cluster)}`);
      return send(res, 200, recipe);
    }
    case "GET /kubernetes": {
      const q = recipeQuerySchema.safeParse({ cluster: url.searchParams.get("cluster") ?? "" });
      if (!q.success) return fail(res, 400, "invalid_query", issuesText(q.error), q.error.issues);
      const dump = backend.kubernetes(q.data.cluster);
      if (!dump) return fail(res, 404, "unknown_cluster", `unknown cluster ${JSON.stringify(q.data.cluster)}`);
      return send(res, 200, dump);
    }
    case "GET /faults":
      return send(res, 200, backend.nodes().filter((n) => n.faults.length > 0).map((n) => ({ node: n.address, hostname: n.hostname, faults: n.faults })));
    case "POST /faults": {
      let raw: unknown;
      try {
        raw = JSON.parse(await readBody(req));
      } catch (e) {
        return fail(res, 400, "invalid_json", `request body must be JSON: ${(e as Error).message}`);
      }
      const parsed = faultSpecSchema.safeParse(raw);
      if (!parsed.success) return fail(res, 400, "invalid_fault", issuesText(parsed.error), parsed.error.issues);
      try {
        const row = backend.setFault(parsed.data);
        return send(res, 200, { node: row.address, hostname: row.hostname, faults: row.faults });
      } catch (e) {
        if (e instanceof UnknownNodeError) return fail(res, 404, "unknown_node", e.message);
        throw e;
      }
    }
    case "DELETE /faults": {
      const node = url.searchParams.get("node") ?? undefined;
      if (node !== undefined && node.trim() === "") return fail(res, 400, "invalid_query", "node must not be empty");
      try {
        return send(res, 200, { cleared: backend.clearFaults(node) });
      } catch (e) {
        if (e instanceof UnknownNodeError) return fail(res, 404, "unknown_node", e.message);
        throw e;
      }
    }
    default: {
      const known = ["/health", "/nodes", "/timeline", "/faults", "/recipe", "/kubernetes"];
      if (known.includes(url.pathname.replace(/\/+$/, ""))) return fail(res, 405, "method_not_allowed", `${req.method} is not allowed on ${url.pathname}`);
      return fail(res, 404, "not_found", `no route ${req.method} ${url.pathname}; try GET /nodes, GET /timeline, GET /recipe?cluster=, GET /kubernetes?cluster=, POST /faults, DELETE /faults, POST /nodes/:node/power-on`);
    }
  }
}

/** Starts the control API on 127.0.0.1:`port` (0 = ephemeral); resolves once listening. */
export async function startControlApi(backend: ControlBackend, port: number): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((req, res) => {
    handle(backend, req, res).catch((e) => {
      if (!res.headersSent) fail(res, 500, "internal", e instanceof Error ? e.message : String(e));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address();
  const actual = typeof addr === "object" && addr ? addr.port : port;
  return { server, url: `http://127.0.0.1:${actual}` };
}
