import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { jsonWithCookies } from "@/lib/server/auth/respond";
import { signOut } from "@/lib/server/auth/service";
import { route } from "@/lib/server/http/route";

// POST /api/auth/sign-out – end this session (public, so stale cookies are cleared too)
export const POST = route({ role: "public" }, async ({ request, actor }) => jsonWithCookies(await signOut(request, actor, defaultAuthDeps())));
