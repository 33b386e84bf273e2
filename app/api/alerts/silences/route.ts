import { createSilenceBodySchema, deleteSilenceQuerySchema, silencesQuerySchema } from "@/lib/schemas/alerts";
import { createSilence, deleteSilence, listSilencesFor } from "@/lib/server/alerts/service";
import { route } from "@/lib/server/http/route";

// GET /api/alerts/silences?state=active|all – silences, newest first
export const GET = route({ role: "viewer", query: silencesQuerySchema }, ({ query }) => listSilencesFor(query.state));

// POST /api/alerts/silences {matchers: {rule?, cluster?, node?}, endsAt, reason} – 201; endsAt in the future and at most 90 days ahead (422 otherwise); audited with matchers and reason
export const POST = route({ role: "operator", body: createSilenceBodySchema }, ({ body, actor }) => createSilence(actor, body));

// DELETE /api/alerts/silences?id= – end a silence now (kept, expired); 404 unknown, 409 ended already
export const DELETE = route({ role: "operator", query: deleteSilenceQuerySchema }, ({ query, actor }) => deleteSilence(actor, query.id));
