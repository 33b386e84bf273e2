import { z } from "zod";

import { ackAlertBodySchema } from "@/lib/schemas/alerts";
import { ackAlert } from "@/lib/server/alerts/service";
import { route } from "@/lib/server/http/route";

const alertIdParamsSchema = z.object({ id: z.string().min(1).max(100) });

// POST /api/alerts/:id/ack {comment?} – acknowledge a pending or firing alert: no more re-notification; audited. 404 unknown, 409 resolved or acknowledged already
export const POST = route({ role: "operator", params: alertIdParamsSchema, body: ackAlertBodySchema }, ({ params, body, actor }) => ackAlert(actor, params.id, body));
