import { route } from "@/lib/server/http/route";
import { dmesgQuerySchema, nodeParamsSchema } from "@/lib/schemas/logs";
import { defaultLogsServiceDeps, openDmesg } from "@/lib/server/logs/service";
import { streamSessionCheck } from "@/lib/server/logs/session";

// GET /api/nodes/:node/dmesg?follow=1&tail=1 – the kernel log as text/plain, one message per line, streamed while following
export const GET = route({ role: "viewer", params: nodeParamsSchema, query: dmesgQuerySchema }, ({ params, query, actor, request }) =>
  openDmesg(actor, params.node, query, request.signal, { ...defaultLogsServiceDeps(), session: streamSessionCheck(request, actor) }),
);
