/**
 * A small router for the simulated API server: each resource module registers its routes
 * (`router.add("GET", "/api/v1/nodes/:name", handler)`); handlers return a JSON reply, a watch, or
 * throw a KubeError (answered as a Status).
 */
import type { IncomingHttpHeaders } from "node:http";

import type { KubeCluster } from "./cluster";
import { methodNotAllowed, noSuchResource } from "./status";
import type { KObject } from "./store";

export interface KubeUser {
  name: string;
  groups: string[];
}

export interface KubeRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body(): Promise<string>;
  user: KubeUser;
  cluster: KubeCluster;
}

/** A watch the server streams: events of `resource` passing `filter`, after resourceVersion `since` (initial ADDED events when undefined). */
export interface WatchReply {
  watch: { resource: string; filter: (o: KObject) => boolean; since: number | undefined; timeoutSeconds: number | undefined };
}

export type KubeReply = { status: number; body: unknown } | WatchReply;

export type KubeHandler = (req: KubeRequest) => Promise<KubeReply> | KubeReply;

interface Route {
  method: string;
  parts: string[];
  handler: KubeHandler;
}

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: KubeHandler): this {
    this.routes.push({ method, parts: pattern.split("/").filter(Boolean), handler });
    return this;
  }

  /** The handler and path parameters for a request; throws 404/405 Status errors. */
  match(method: string, path: string): { handler: KubeHandler; params: Record<string, string> } {
    const parts = path.split("/").filter(Boolean).map((p) => decodeURIComponent(p));
    let pathMatched = false;
    for (const r of this.routes) {
      if (r.parts.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = r.parts.every((p, i) => {
        if (p.startsWith(":")) {
          params[p.slice(1)] = parts[i]!;
          return true;
        }
        return p === parts[i];
      });
      if (!ok) continue;
      pathMatched = true;
      if (r.method === method) return { handler: r.handler, params };
    }
    throw pathMatched ? methodNotAllowed(method, path) : noSuchResource();
  }
}

/** A route module: registers its routes (one line per module in ./routes/index.ts). */
export type RouteModule = (router: Router) => void;
