import { channelParamsSchema, patchChannelBodySchema } from "@/lib/schemas/alerts";
import { defaultChannelDeps } from "@/lib/server/alerts/delivery/deps";
import { deleteChannel, patchChannel } from "@/lib/server/alerts/delivery/service";
import { route } from "@/lib/server/http/route";

// PATCH /api/alerts/channels/:id {name?, url?, secret?, smtp?, severities?, clusters?, enabled?} – change a channel (an omitted secret or password is kept; switching it off drops what it had still to send)
export const PATCH = route({ role: "admin", params: channelParamsSchema, body: patchChannelBodySchema }, ({ params, body, actor }) => patchChannel(actor, params.id, body, defaultChannelDeps()));

// DELETE /api/alerts/channels/:id – remove a channel and its pending notifications (its delivery log stays)
export const DELETE = route({ role: "admin", params: channelParamsSchema }, ({ params, actor }) => deleteChannel(actor, params.id, defaultChannelDeps()));
