import { route } from "@/lib/server/http/route";
import { logsQuerySchema, nodeLogsParamsSchema } from "@/lib/schemas/logs";
import { defaultLogsServiceDeps, openServiceLogs } from "@/lib/server/logs/service";
import { streamSessionCheck } from "@/lib/server/logs/session";

// GET /api/nodes/:node/logs/:service?tail=N&follow=1&kubernetes=1 – a service's log as text/plain, one line per log line, streamed while following
export const GET = route({ role: "viewer", params: nodeLogsParamsSchema, query: logsQuerySchema }, ({ params, query, actor, request }) =>
  openServiceLogs(actor, params.node, params.service, query, request.signal, { ...defaultLogsServiceDeps(), session: streamSessionCheck(request, actor) }),
);
