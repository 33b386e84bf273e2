/**
 * Each Talos minor's release date and end of community support. Pure and isomorphic.
 *
 * Sidero Labs supports a minor until the next minor's release ("End of Community Support:
 * 1.14.0 release"), so the table holds only release dates: a minor's end of support is its
 * successor's release.
 *
 * Sources, Talos's support-matrix pages (each page's two columns: its own minor, and the previous
 * one with the date its x.y.0 actually shipped):
 *   - docs.siderolabs.com/talos/v1.6 … v1.14/getting-started/support-matrix
 *     (github.com/siderolabs/docs, public/talos/v1.x/getting-started/support-matrix.mdx, commit 5debdd9, 2026-08-19)
 *   - talos.dev/v0.12 … v1.5/introduction/support-matrix
 *     (github.com/siderolabs/talos, website/content/v0.x|v1.x/introduction/support-matrix.md)
 * A minor's date is taken from the NEXT minor's page ("2026-04-27 (1.13.0)"), written after the
 * release; a minor's own page often carries the plan ("2026-04-27 (TBD)"), which slipped more
 * than once (1.3: planned 2022-12-01, shipped 2022-12-15; 1.4: planned 2023-03-15, shipped
 * 2023-04-18). Only the newest minors come from their own page, marked `tentative`: 1.14 (its
 * page: "2026-08-27 (TBD)") and 1.15 (1.14's end of support: "1.15.0 release (2026-12-27, TBD)").
 * Update the table when a minor ships.
 */

import { parseTalosVersion } from "./version";

export interface TalosMinorRelease {
  /** "1.13". */
  minor: string;
  /** The x.y.0 release day (UTC), "YYYY-MM-DD". */
  releasedOn: string;
  /** The day is Sidero Labs' plan ("TBD" on the page), not a shipped release. */
  tentative: boolean;
}

const r = (minor: string, releasedOn: string, tentative = false): TalosMinorRelease => ({ minor, releasedOn, tentative });

/** Oldest first. */
export const TALOS_MINOR_RELEASES: readonly TalosMinorRelease[] = [
  r("0.11", "2021-07-08"), // talos.dev/v0.12: "2021-07-08 (0.11.0)"
  r("0.12", "2021-08-31"), // talos.dev/v0.13: "2021-08-31 (0.12.0)"
  r("0.13", "2021-10-11"), // talos.dev/v0.14: "2021-10-11 (0.13.0)"
  r("0.14", "2021-12-21"), // talos.dev/v1.0: "2021-12-21 (0.14.0)"
  r("1.0", "2022-03-29"), // talos.dev/v1.1: "2022-03-29 (1.0.0)"
  r("1.1", "2022-06-22"), // talos.dev/v1.2: "2022-06-22 (1.1.0)"
  r("1.2", "2022-09-01"), // talos.dev/v1.3: "2022-09-01 (1.2.0)"
  r("1.3", "2022-12-15"), // talos.dev/v1.4: "2022-12-15 (1.3.0)"
  r("1.4", "2023-04-18"), // talos.dev/v1.5: "2023-04-18 (1.4.0)"
  r("1.5", "2023-08-17"), // v1.6: "2023-08-17 (1.5.0)"
  r("1.6", "2023-12-15"), // v1.7: "2023-12-15 (1.6.0)"
  r("1.7", "2024-04-19"), // v1.8: "2024-04-19 (1.7.0)"
  r("1.8", "2024-09-23"), // v1.9: "2024-09-23 (1.8.0)"
  r("1.9", "2024-12-17"), // v1.10: "2024-12-17 (1.9.0)"
  r("1.10", "2025-04-30"), // v1.11: "2025-04-30 (1.10.0)"
  r("1.11", "2025-09-01"), // v1.12: "2025-09-01 (1.11.0)"
  r("1.12", "2025-12-22"), // v1.13: "2025-12-22 (1.12.0)"
  r("1.13", "2026-04-27"), // v1.14: "2026-04-27 (1.13.0)"
  r("1.14", "2026-08-27", true), // v1.14: "2026-08-27 (TBD)"
  r("1.15", "2026-12-27", true), // v1.14: End of Community Support "1.15.0 release (2026-12-27, TBD)"
];

export interface TalosSupport {
  /** "1.13". */
  minor: string;
  /** Whether the table lists this minor (false: older than the table, or newer than it). */
  known: boolean;
  /** The minor's x.y.0 release; null when the table does not reach back that far. */
  releasedAt: Date | null;
  /** When community support ends (ended): the next minor's release; null when no next minor is known. */
  communitySupportEndsAt: Date | null;
  /** `communitySupportEndsAt` when it is at or before `now`, else null: the minor is out of community support. */
  communitySupportEndedAt: Date | null;
  /** The end date is a plan (the next minor has not shipped per the table). */
  endTentative: boolean;
}

const day = (isoDay: string): Date => new Date(`${isoDay}T00:00:00Z`);

function minorOrder(minor: string): [number, number] {
  const [maj, min] = minor.split(".").map(Number);
  return [maj ?? 0, min ?? 0];
}

function compareMinors(a: string, b: string): number {
  const [am, an] = minorOrder(a);
  const [bm, bn] = minorOrder(b);
  return am !== bm ? am - bm : an - bn;
}

/**
 * The community-support facts of the minor `version` belongs to, at `now`; null when `version`
 * is not a Talos version. Pre-releases belong to their minor (v1.15.0-alpha.1 is 1.15). A minor
 * older than the table ended by the oldest listed release at the latest; any other unlisted one
 * (newer than the table: Minos's table not updated yet) is taken as supported. A tentative end
 * (the next minor's planned day) counts once passed: the rule's grace days absorb a slip.
 */
export function talosSupport(version: string, now: Date, releases: readonly TalosMinorRelease[] = TALOS_MINOR_RELEASES): TalosSupport | null {
  const v = parseTalosVersion(version);
  if (!v) return null;
  const minor = `${v.major}.${v.minor}`;
  const i = releases.findIndex((x) => x.minor === minor);
  const first = releases[0];
  const ended = (end: Date | null) => (end && end.getTime() <= now.getTime() ? end : null);
  if (i < 0) {
    const older = first !== undefined && compareMinors(minor, first.minor) < 0;
    const end = older ? day(first.releasedOn) : null;
    return { minor, known: false, releasedAt: null, communitySupportEndsAt: end, communitySupportEndedAt: ended(end), endTentative: false };
  }
  const self = releases[i]!;
  const next = releases[i + 1];
  const end = next ? day(next.releasedOn) : null;
  return {
    minor,
    known: true,
    releasedAt: day(self.releasedOn),
    communitySupportEndsAt: end,
    communitySupportEndedAt: ended(end),
    endTentative: next?.tentative ?? false,
  };
}
