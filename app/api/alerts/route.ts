import { alertsQuerySchema } from "@/lib/schemas/alerts";
import { listAlerts } from "@/lib/server/alerts/service";
import { route } from "@/lib/server/http/route";

// GET /api/alerts?state=active|firing|pending|history|all&cluster=&node=&rule=&severity=&limit= – alerts (active: most urgent first; history: newest first), the counts the bell shows, when the rules last ran
export const GET = route({ role: "viewer", query: alertsQuerySchema }, ({ query }) => listAlerts(query));
