import { z } from "zod";

import { webhookPayloadSchema } from "@/lib/schemas/alerts";

/** What each field of the webhook's body means, for receivers reading docs/alerts-webhook.schema.json. */
const FIELD_DOCS: Record<keyof z.infer<typeof webhookPayloadSchema>, string> = {
  id: "The alert's id: stable across its firing, re-notifications and resolution (`test-…` for a test). Deduplicate on id + status + startsAt.",
  status: "`firing` when the alert fires (again: re-notification of an unacknowledged critical alert, or a raised severity), `resolved` when its condition is gone.",
  rule: "The rule that fired, e.g. `node-unreachable`, `certificate-expiry`; `test` for \"Send a test\".",
  severity: "The alert's severity now.",
  cluster: "The cluster's name in Minos.",
  node: "The node's id in Minos (`<address>@<cluster>`), for node alerts; absent for cluster-wide ones.",
  summary: "One human sentence. Never a secret.",
  startsAt: "When the alert fired (RFC 3339, UTC).",
  endsAt: "When it resolved; present only with status `resolved`.",
  url: "The alert's page in Minos (MINOS_ORIGIN + path).",
};

/**
 * The JSON Schema of the generic webhook's body, generated from `webhookPayloadSchema` (the one
 * definition the sender parses against), with the request's headers described. Only the docs use
 * it: lib/server/alerts/delivery/webhook-schema.test.ts keeps docs/alerts-webhook.schema.json equal to it.
 */
export function webhookJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(webhookPayloadSchema, { target: "draft-2020-12" }) as Record<string, unknown> & { properties: Record<string, Record<string, unknown>> };
  for (const [k, d] of Object.entries(FIELD_DOCS)) schema.properties[k] = { description: d, ...schema.properties[k] };
  return {
    $schema: schema.$schema,
    // No $id: Minos has no canonical address to publish it under; receivers copy the file.
    title: "Minos alert webhook",
    description:
      "The JSON body Minos POSTs to a webhook channel (content-type: application/json; user-agent: Minos/<version>). " +
      "Headers: X-Minos-Timestamp: <unix seconds>; X-Minos-Signature: sha256=<hex HMAC-SHA256(secret, \"<timestamp>.<raw body>\")>. " +
      "Verify the signature over the raw body bytes before parsing, and refuse timestamps far from now (replays). " +
      "Any 2xx answer is success; anything else is retried with backoff (5 s doubling to 5 min, for up to 24 h). Generated from lib/schemas/alerts.ts (webhookPayloadSchema); do not edit.",
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$schema")),
  };
}
