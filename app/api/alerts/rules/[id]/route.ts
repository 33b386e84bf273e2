import { z } from "zod";

import { patchAlertRuleBodySchema } from "@/lib/schemas/alerts";
import { getRule, patchRule } from "@/lib/server/alerts/service";
import { route } from "@/lib/server/http/route";

// Any string: an unknown rule is a 404 (the service says which rules exist).
const alertRuleParamsSchema = z.object({ id: z.string().min(1).max(100) });

// GET /api/alerts/rules/:id – one rule
export const GET = route({ role: "viewer", params: alertRuleParamsSchema }, ({ params }) => getRule(params.id));

// PATCH /api/alerts/rules/:id {enabled?, severity?, forSeconds?, renotifyMinutes?, params?, reset?} – change a rule (422: unknown parameter or out of its range); audited before/after
export const PATCH = route({ role: "admin", params: alertRuleParamsSchema, body: patchAlertRuleBodySchema }, ({ params, body, actor }) => patchRule(actor, params.id, body));
