/**
 * docs/alerts-webhook.schema.json is generated from webhookPayloadSchema: this fails when the file
 * is stale (regenerate with `npx vitest run --project sqlite lib/server/alerts/delivery/webhook-schema.test.ts -u`),
 * and checks that what the webhook sender sends validates against the file.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { notice, ORIGIN } from "@/test/alerts/delivery";

import { fromNotice, testNotice, webhookPayload } from "./messages";
import { webhookJsonSchema } from "@/test/alerts/webhook-schema";

const FILE = path.resolve(__dirname, "../../../../docs/alerts-webhook.schema.json");

/** A small JSON Schema check of what the generated schema uses (type, required, enum, pattern, additionalProperties, format date-time/uri). */
function validate(schema: { properties: Record<string, { type?: string; enum?: string[]; format?: string; pattern?: string }>; required: string[]; additionalProperties?: boolean }, value: Record<string, unknown>): string[] {
  const errors: string[] = [];
  for (const k of schema.required) if (!(k in value)) errors.push(`missing ${k}`);
  for (const [k, v] of Object.entries(value)) {
    const p = schema.properties[k];
    if (!p) {
      if (schema.additionalProperties === false) errors.push(`unexpected ${k}`);
      continue;
    }
    if (p.type && typeof v !== p.type) errors.push(`${k}: not a ${p.type}`);
    if (p.enum && !p.enum.includes(v as string)) errors.push(`${k}: not one of ${p.enum.join(", ")}`);
    if (p.format === "date-time" && Number.isNaN(Date.parse(v as string))) errors.push(`${k}: not a date-time`);
    if (p.pattern && !new RegExp(p.pattern, "u").test(v as string)) errors.push(`${k}: does not match its pattern`);
    if (p.format === "uri" && !URL.canParse(v as string)) errors.push(`${k}: not a URI`);
  }
  return errors;
}

describe("docs/alerts-webhook.schema.json", () => {
  it("is what webhookPayloadSchema generates (fails when stale)", async () => {
    await expect(`${JSON.stringify(webhookJsonSchema(), null, 2)}\n`).toMatchFileSnapshot(FILE);
  });

  it("accepts what the sender sends, and names every field it may send", () => {
    const file = JSON.parse(readFileSync(FILE, "utf8")) as Parameters<typeof validate>[0];
    expect(file.required.sort()).toEqual(["cluster", "id", "rule", "severity", "startsAt", "status", "summary", "url"]);
    const firing = webhookPayload(fromNotice(notice()), ORIGIN);
    const resolved = webhookPayload(fromNotice(notice({ status: "resolved", endsAt: new Date().toISOString() })), ORIGIN);
    const test = webhookPayload(testNotice("test-1", "ops", new Date()), ORIGIN);
    for (const p of [firing, resolved, test]) expect(validate(file, p)).toEqual([]);
    expect(Object.keys(file.properties).sort()).toEqual(Object.keys(resolved).sort());
    expect(validate(file, { ...firing, status: "pending" })).toEqual(["status: not one of firing, resolved"]);
    expect(validate(file, { ...firing, startsAt: "2026-12-07 00:00" })).toEqual(["startsAt: does not match its pattern"]);
  });
});
