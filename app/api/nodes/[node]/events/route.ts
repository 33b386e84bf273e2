import { route } from "@/lib/server/http/route";
import { nodeEventsQuerySchema, nodeParamsSchema } from "@/lib/schemas/logs";
import { openNodeEventStream } from "@/lib/server/logs/events";

// GET /api/nodes/:node/events?tail=N – Server-Sent Events: the node's Talos events (MachineService.Events), the last N buffered first
export const GET = route({ role: "viewer", params: nodeParamsSchema, query: nodeEventsQuerySchema }, ({ params, query, request }) => openNodeEventStream(params.node, query, request.signal));
