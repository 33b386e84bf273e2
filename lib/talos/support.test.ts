import { describe, expect, it } from "vitest";

import { TALOS_MINOR_RELEASES, talosSupport } from "./support";

const at = (iso: string) => new Date(iso);
const iso = (d: Date | null | undefined) => d?.toISOString().slice(0, 10) ?? null;

describe("TALOS_MINOR_RELEASES", () => {
  it("is in minor order, one row per minor, release days ascending and valid", () => {
    const minors = TALOS_MINOR_RELEASES.map((x) => x.minor);
    expect(new Set(minors).size).toBe(minors.length);
    for (let i = 1; i < TALOS_MINOR_RELEASES.length; i++) {
      const prev = TALOS_MINOR_RELEASES[i - 1]!;
      const cur = TALOS_MINOR_RELEASES[i]!;
      expect(cur.releasedOn > prev.releasedOn, `${cur.minor} after ${prev.minor}`).toBe(true);
      expect(Number.isNaN(new Date(`${cur.releasedOn}T00:00:00Z`).getTime())).toBe(false);
    }
  });

  it("marks only the newest rows as plans: a shipped minor never follows a planned one", () => {
    const firstTentative = TALOS_MINOR_RELEASES.findIndex((x) => x.tentative);
    expect(firstTentative).toBeGreaterThan(0);
    expect(TALOS_MINOR_RELEASES.slice(firstTentative).every((x) => x.tentative)).toBe(true);
  });

  // Spot checks against the support-matrix pages (the "(x.y.0)" column of the next minor's page).
  it.each([
    ["1.3", "2022-12-15"],
    ["1.7", "2024-04-19"],
    ["1.9", "2024-12-17"],
    ["1.12", "2025-12-22"],
    ["1.13", "2026-04-27"],
  ])("%s shipped on %s", (minor, releasedOn) => {
    expect(TALOS_MINOR_RELEASES.find((x) => x.minor === minor)).toMatchObject({ releasedOn, tentative: false });
  });
});

describe("talosSupport", () => {
  it("ends a minor's community support at the next minor's release", () => {
    const s = talosSupport("v1.12.11", at("2026-12-07T00:00:00Z"));
    expect(s).toMatchObject({ minor: "1.12", known: true, endTentative: false });
    expect(iso(s?.releasedAt)).toBe("2025-12-22");
    expect(iso(s?.communitySupportEndsAt)).toBe("2026-04-27");
    expect(iso(s?.communitySupportEndedAt)).toBe("2026-04-27");
  });

  it("keeps a minor supported until the very instant its successor ships", () => {
    const before = talosSupport("v1.12.0", at("2026-04-26T23:59:59.999Z"));
    expect(before?.communitySupportEndedAt).toBeNull();
    expect(iso(before?.communitySupportEndsAt)).toBe("2026-04-27");
    expect(iso(talosSupport("v1.12.0", at("2026-04-27T00:00:00Z"))?.communitySupportEndedAt)).toBe("2026-04-27");
  });

  it("flags an end that is only the next minor's plan", () => {
    // 1.14's end is 1.15's planned release ("1.15.0 release (2026-12-27, TBD)").
    const s = talosSupport("v1.14.4", at("2026-12-07T00:00:00Z"));
    expect(s).toMatchObject({ minor: "1.14", known: true, endTentative: true, communitySupportEndedAt: null });
    expect(iso(s?.communitySupportEndsAt)).toBe("2026-12-27");
    // 1.13's end is 1.14's release, itself a plan on the newest page.
    expect(talosSupport("v1.13.9", at("2026-12-07T00:00:00Z"))).toMatchObject({ endTentative: true });
    expect(iso(talosSupport("v1.13.9", at("2026-12-07T00:00:00Z"))?.communitySupportEndedAt)).toBe("2026-08-27");
  });

  it("has no end for the newest listed minor", () => {
    const s = talosSupport("v1.15.0-alpha.1", at("2026-12-07T00:00:00Z"));
    expect(s).toMatchObject({ minor: "1.15", known: true, communitySupportEndsAt: null, communitySupportEndedAt: null, endTentative: false });
  });

  it("reads pre-releases, describe builds and a missing v as their minor", () => {
    for (const v of ["1.11.3", "v1.11.0-rc.1", "v1.11.0-alpha.1-23-gabcdef0", "v1.11"]) {
      expect(talosSupport(v, at("2026-01-01T00:00:00Z"))?.minor).toBe("1.11");
    }
  });

  it("ends a minor older than the table by the oldest listed release", () => {
    const s = talosSupport("v0.10.3", at("2026-01-01T00:00:00Z"));
    expect(s).toMatchObject({ minor: "0.10", known: false, releasedAt: null });
    expect(iso(s?.communitySupportEndedAt)).toBe("2021-07-08");
  });

  it("takes a minor newer than the table as supported", () => {
    expect(talosSupport("v1.16.0", at("2027-06-01T00:00:00Z"))).toMatchObject({ minor: "1.16", known: false, communitySupportEndsAt: null, communitySupportEndedAt: null });
    expect(talosSupport("v2.0.0", at("2027-06-01T00:00:00Z"))).toMatchObject({ known: false, communitySupportEndedAt: null });
  });

  it("returns null for what is not a Talos version", () => {
    expect(talosSupport("latest", at("2026-01-01T00:00:00Z"))).toBeNull();
    expect(talosSupport("", at("2026-01-01T00:00:00Z"))).toBeNull();
  });

  it("uses the table it is given (for tests of a future table)", () => {
    const table = [
      { minor: "1.20", releasedOn: "2030-01-01", tentative: false },
      { minor: "1.21", releasedOn: "2030-05-01", tentative: false },
    ];
    expect(iso(talosSupport("v1.20.2", at("2030-06-01T00:00:00Z"), table)?.communitySupportEndedAt)).toBe("2030-05-01");
  });
});
