import { caRotationIdParamsSchema } from "@/lib/schemas/ca-rotation";
import { withCaRotationRunner } from "@/lib/server/ca-rotation";
import { route } from "@/lib/server/http/route";

// GET /api/ca-rotations/:id – one CA rotation with its steps and, when it stopped, the way back
export const GET = route({ role: "viewer", params: caRotationIdParamsSchema }, ({ params }) => withCaRotationRunner((r) => r.getOrThrow(params.id)));
