import { caRotationRequestSchema } from "@/lib/schemas/ca-rotation";
import { withCaRotationRunner } from "@/lib/server/ca-rotation";
import { route } from "@/lib/server/http/route";

// POST /api/ca-rotations/dry-run – what a rotation would change on each node (CAs by subject and fingerprint); nothing changes
export const POST = route({ role: "admin", body: caRotationRequestSchema }, ({ body }) => withCaRotationRunner((r) => r.dryRun(body)));
