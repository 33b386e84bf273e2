import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { sessionInfo } from "@/lib/server/auth/service";
import { route } from "@/lib/server/http/route";

// GET /api/auth/session – who is signed in, whether first-start setup is pending, whether SSO is on
export const GET = route({ role: "public" }, async ({ actor }) => Response.json(await sessionInfo(actor, defaultAuthDeps()), { headers: { "cache-control": "no-store" } }));
