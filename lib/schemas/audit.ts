import { z } from "zod";

export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.iso.datetime(),
  /** Who acted: a user, an API token, or "system" for Minos's own background work. */
  actor: z.string(),
  /** What was done, e.g. "config.apply", "upgrade.start". */
  action: z.string(),
  /** What it was done to, e.g. a node ID or an upgrade plan ID. */
  target: z.string(),
  result: z.enum(["ok", "failed", "refused"]),
  details: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Page backwards: entries with an id below this one. */
  before: z.coerce.number().int().min(1).optional(),
});

export const auditListResponseSchema = z.object({ entries: z.array(auditEntrySchema) });
