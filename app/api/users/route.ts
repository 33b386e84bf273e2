import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { getUsers } from "@/lib/server/auth/service";
import { route } from "@/lib/server/http/route";

// GET /api/users – every user with their passkeys (revoked users too, marked)
export const GET = route({ role: "admin" }, () => getUsers(defaultAuthDeps()));
