import { deliveriesQuerySchema } from "@/lib/schemas/alerts";
import { defaultChannelDeps } from "@/lib/server/alerts/delivery/deps";
import { listDeliveryLog } from "@/lib/server/alerts/delivery/service";
import { route } from "@/lib/server/http/route";

// GET /api/alerts/deliveries?channel=&alert=&ok=&limit= – the delivery log, newest first: every attempt with its status code and redacted error
export const GET = route({ role: "viewer", query: deliveriesQuerySchema }, ({ query }) => listDeliveryLog(query, defaultChannelDeps()));
