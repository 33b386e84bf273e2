import { getMetricsText } from "@/lib/server/metrics-endpoint";
import { route } from "@/lib/server/http/route";

// GET /api/metrics – Prometheus text exposition: node up/ready/stage, etcd quorum, poll latency, certificates
export const GET = route({ role: "viewer" }, async () => {
  const { body, contentType } = await getMetricsText();
  return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
});
