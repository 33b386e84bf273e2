import { route } from "@/lib/server/http/route";
import { nodeEventsQuerySchema, nodeParamsSchema } from "@/lib/schemas/logs";
import { openNodeEventStream } from "@/lib/server/logs/events";
import { defaultLogsServiceDeps } from "@/lib/server/logs/service";
import { streamSessionCheck } from "@/lib/server/logs/session";

// GET /api/nodes/:node/events?tail=N – Server-Sent Events: the node's Talos events (MachineService.Events), the last N buffered first
export const GET = route({ role: "viewer", params: nodeParamsSchema, query: nodeEventsQuerySchema }, ({ params, query, actor, request }) =>
  openNodeEventStream(actor, params.node, query, request.signal, { ...defaultLogsServiceDeps(), session: streamSessionCheck(request, actor) }),
);
