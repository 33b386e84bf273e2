import { route } from "@/lib/server/http/route";
import { prometheusRulesResponse } from "@/lib/server/alerts/prometheus";

// GET /api/alerts/prometheus-rules – the alert rules as a Prometheus rule file (YAML) over GET /api/metrics; disabled rules left out
export const GET = route({ role: "viewer" }, () => prometheusRulesResponse());
