import { listRules } from "@/lib/server/alerts/service";
import { route } from "@/lib/server/http/route";

// GET /api/alerts/rules – the built-in rules with their settings (the admin's over the defaults), defaults and parameter specs
export const GET = route({ role: "viewer" }, () => listRules());
