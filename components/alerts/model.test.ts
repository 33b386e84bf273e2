import { describe, expect, it } from "vitest";

import {
  alertDuration,
  alertPermissions,
  channelCreateFromForm,
  channelFormOf,
  channelPatchFromForm,
  formatDuration,
  parseAlertFilters,
  parseDeliveryFilters,
  ruleCustomized,
  ruleFormOf,
  rulePatchFromForm,
  silenceBodyFromForm,
} from "@/components/alerts/model";
import { createChannelBodySchema } from "@/lib/schemas/alerts";
import { alertFixture, channelFixture, ruleFixture } from "@/test/alerts/ui-fixtures";

const params = (q: string) => new URLSearchParams(q);

describe("URL filters", () => {
  it("reads state, severity, rule and the header's cluster, dropping what the API would refuse", () => {
    expect(parseAlertFilters(params(""))).toEqual({ state: "active" });
    expect(parseAlertFilters(params("state=history&severity=critical&rule=etcd-quorum&cluster=prod"))).toEqual({ state: "history", severity: "critical", rule: "etcd-quorum", cluster: "prod" });
    expect(parseAlertFilters(params("state=bogus&severity=loud&rule=no-such-rule"))).toEqual({ state: "active" });
    expect(parseDeliveryFilters(params("channel=ch-1&ok=false"))).toEqual({ channel: "ch-1", ok: "false" });
    expect(parseDeliveryFilters(params("ok=maybe"))).toEqual({});
  });
});

describe("words", () => {
  it("durations read in the largest sensible units", () => {
    expect(formatDuration(45_000)).toBe("45 s");
    expect(formatDuration(12 * 60_000)).toBe("12 min");
    expect(formatDuration(185 * 60_000)).toBe("3 h 5 min");
    expect(formatDuration(52 * 3_600_000)).toBe("2 d 4 h");
    expect(formatDuration(48 * 3_600_000)).toBe("2 d");
  });

  it("an episode lasts from firing to resolution, or from pending when it never fired", () => {
    expect(alertDuration(alertFixture())).toBeNull();
    expect(alertDuration(alertFixture({ status: "resolved", startsAt: "2026-12-07T00:00:00.000Z", endsAt: "2026-12-07T00:30:00.000Z" }))).toBe("30 min");
    expect(alertDuration({ pendingSince: "2026-12-07T00:00:00.000Z", startsAt: null, endsAt: "2026-12-07T00:00:40.000Z" })).toBe("40 s");
  });

  it("viewers only read; operators ack and silence; admins also change rules and channels", () => {
    expect(alertPermissions("viewer")).toEqual({ ack: false, silence: false, admin: false });
    expect(alertPermissions("operator")).toEqual({ ack: true, silence: true, admin: false });
    expect(alertPermissions("admin")).toEqual({ ack: true, silence: true, admin: true });
    expect(alertPermissions(undefined)).toEqual({ ack: false, silence: false, admin: false });
  });
});

describe("silence form", () => {
  const now = new Date("2026-12-07T00:00:00.000Z");
  it("sends only the matchers given, the end time from now, the reason", () => {
    const r = silenceBodyFromForm({ rule: "node-unreachable", cluster: "", node: " 10.5.0.3@prod ", endsInMinutes: 240, reason: "maintenance" }, now);
    expect(r).toEqual({ ok: true, value: { matchers: { rule: "node-unreachable", node: "10.5.0.3@prod" }, endsAt: "2026-12-07T04:00:00.000Z", reason: "maintenance" } });
  });
  it("refuses a silence of everything, or one without a reason", () => {
    const none = silenceBodyFromForm({ rule: "", cluster: "", node: "", endsInMinutes: 60, reason: "x" }, now);
    expect(none.ok).toBe(false);
    expect(!none.ok && none.error).toMatch(/at least one of rule, cluster, node/);
    const noReason = silenceBodyFromForm({ rule: "", cluster: "prod", node: "", endsInMinutes: 60, reason: "  " }, now);
    expect(noReason.ok).toBe(false);
    expect(!noReason.ok && noReason.error).toMatch(/^reason/);
  });
});

describe("rule form", () => {
  const rule = ruleFixture("run-failed");
  it("sends only what changed, with the rule's other params kept", () => {
    const form = { ...ruleFormOf(rule), forSeconds: "30", params: { maxAgeHours: "48" } };
    expect(rulePatchFromForm(rule, form)).toEqual({ ok: true, value: { forSeconds: 30, params: { maxAgeHours: 48 } } });
    expect(rulePatchFromForm(rule, { ...ruleFormOf(rule), enabled: false, severity: "critical" })).toEqual({ ok: true, value: { enabled: false, severity: "critical" } });
  });
  it("refuses a threshold out of its spec's range, a non-number, and an unchanged form", () => {
    const over = rulePatchFromForm(rule, { ...ruleFormOf(rule), params: { maxAgeHours: "721" } });
    expect(!over.ok && over.error).toBe("Forget after: a number from 1 to 720 (hours)");
    const bad = rulePatchFromForm(rule, { ...ruleFormOf(rule), forSeconds: "1.5" });
    expect(bad.ok).toBe(false);
    const tooLong = rulePatchFromForm(rule, { ...ruleFormOf(rule), forSeconds: String(8 * 86_400) });
    expect(!tooLong.ok && tooLong.error).toMatch(/^forSeconds/);
    expect(rulePatchFromForm(rule, ruleFormOf(rule))).toEqual({ ok: false, error: "Nothing changed" });
  });
  it("knows a rule on its defaults from a changed one", () => {
    expect(ruleCustomized(rule)).toBe(false);
    expect(ruleCustomized({ ...rule, params: { maxAgeHours: 12 } })).toBe(true);
    expect(ruleCustomized({ ...rule, severity: "critical" })).toBe(true);
  });
});

describe("channel form", () => {
  it("a webhook without a secret leaves it to Minos; the body passes the route's schema", () => {
    const r = channelCreateFromForm({ ...channelFormOf(), name: "hook", url: "https://hooks.example.com/minos?token=abc" });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toEqual({ type: "webhook", name: "hook", enabled: true, severities: ["critical", "warning", "info"], url: "https://hooks.example.com/minos?token=abc" });
    expect(createChannelBodySchema.safeParse(r.value).success).toBe(true);
  });
  it("an email channel with its SMTP settings, recipients split, clusters listed", () => {
    const r = channelCreateFromForm({
      ...channelFormOf(),
      type: "email",
      name: "mail",
      smtpHost: "smtp.example.com",
      smtpPort: "465",
      smtpSecurity: "tls",
      smtpUsername: "minos",
      smtpPassword: "pw",
      smtpFrom: "minos@example.com",
      smtpTo: "a@example.com, b@example.com\nc@example.com",
      severities: ["critical"],
      clusters: "prod, stage",
    });
    expect(r).toEqual({
      ok: true,
      value: {
        type: "email",
        name: "mail",
        enabled: true,
        severities: ["critical"],
        clusters: ["prod", "stage"],
        smtp: { host: "smtp.example.com", port: 465, security: "tls", username: "minos", password: "pw", from: "minos@example.com", to: ["a@example.com", "b@example.com", "c@example.com"] },
      },
    });
  });
  it("says what is wrong: a Slack URL over plain HTTP, a short secret, no severity", () => {
    const slack = channelCreateFromForm({ ...channelFormOf(), type: "slack", name: "s", url: "http://hooks.slack.com/x" });
    expect(!slack.ok && slack.error).toMatch(/^url/);
    const short = channelCreateFromForm({ ...channelFormOf(), name: "h", url: "https://h.example.com", secret: "short" });
    expect(!short.ok && short.error).toMatch(/^secret/);
    expect(channelCreateFromForm({ ...channelFormOf(), name: "h", url: "https://h.example.com", severities: [] })).toEqual({ ok: false, error: "Severities: pick at least one" });
  });
  it("an edit sends what changed; empty URL, secret and password keep the stored ones; no clusters means every cluster", () => {
    const ch = channelFixture({ clusters: ["prod"] });
    expect(channelPatchFromForm(ch, { ...channelFormOf(ch), name: "renamed", clusters: "" })).toEqual({ ok: true, value: { name: "renamed", clusters: null } });
    expect(channelPatchFromForm(ch, { ...channelFormOf(ch), secret: "a-new-secret-of-enough-length" })).toEqual({ ok: true, value: { secret: "a-new-secret-of-enough-length" } });
    expect(channelPatchFromForm(ch, channelFormOf(ch))).toEqual({ ok: false, error: "Nothing changed" });
    const mail = channelFixture({
      type: "email",
      target: "smtp.example.com:587 → oncall@example.com",
      hasSecret: false,
      smtp: { host: "smtp.example.com", port: 587, security: "starttls", username: "minos", hasPassword: true, from: "minos@example.com", to: ["oncall@example.com"] },
    });
    expect(channelPatchFromForm(mail, { ...channelFormOf(mail), smtpPort: "2525" })).toEqual({ ok: true, value: { smtp: { port: 2525 } } });
    expect(channelPatchFromForm(mail, { ...channelFormOf(mail), smtpPassword: "new" })).toEqual({ ok: true, value: { smtp: { password: "new" } } });
  });
});
