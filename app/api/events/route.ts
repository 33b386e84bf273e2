import { openFleetEventStream } from "@/lib/server/fleet/stream";
import { route } from "@/lib/server/http/route";

// GET /api/events – Server-Sent Events: a fleet snapshot, then node and cluster changes as they happen
export const GET = route({ role: "viewer" }, ({ request }) => openFleetEventStream(request.signal));
