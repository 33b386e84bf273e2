import { caRotationActionParamsSchema } from "@/lib/schemas/ca-rotation";
import { withCaRotationRunner } from "@/lib/server/ca-rotation";
import { route } from "@/lib/server/http/route";

// POST /api/ca-rotations/:id/(pause|resume|cancel) – control a CA rotation (admin); 409 when the state forbids it
export const POST = route({ role: "admin", params: caRotationActionParamsSchema }, ({ params, actor }) => withCaRotationRunner((r) => r.control(params.id, params.action, actor.label)));
