import { channelParamsSchema } from "@/lib/schemas/alerts";
import { defaultChannelDeps } from "@/lib/server/alerts/delivery/deps";
import { testChannel } from "@/lib/server/alerts/delivery/service";
import { route } from "@/lib/server/http/route";

// POST /api/alerts/channels/:id/test – send a test notification now (no retries); 200 {delivery}, `ok` says whether it arrived. Rate-limited: each one reaches outside.
export const POST = route({ role: "admin", rateLimit: "manage", params: channelParamsSchema }, ({ params, actor }) => testChannel(actor, params.id, defaultChannelDeps()));
