import { createChannelBodySchema } from "@/lib/schemas/alerts";
import { defaultChannelDeps } from "@/lib/server/alerts/delivery/deps";
import { createChannel, listChannels } from "@/lib/server/alerts/delivery/service";
import { route } from "@/lib/server/http/route";

// GET /api/alerts/channels – notification channels, redacted (no secret, password, Slack URL or URL query), with their state (ok, failing, untested)
export const GET = route({ role: "viewer" }, () => listChannels(defaultChannelDeps()));

// POST /api/alerts/channels {type: webhook|slack|email, name, url?, secret?, smtp?, severities?, clusters?, enabled?} – 201 {channel, secret?}; a generated webhook secret is returned this once
export const POST = route({ role: "admin", rateLimit: "manage", body: createChannelBodySchema }, ({ body, actor }) => createChannel(actor, body, defaultChannelDeps()));
