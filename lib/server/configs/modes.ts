import "server-only";

import { createHash } from "node:crypto";

import { indexAliases, parseStream } from "@/lib/config/yaml";
import type { ApplyMode, RevisionResult } from "@/lib/schemas/configs";
import { rebootModeRemoved } from "@/lib/talos/features";

/** "2 min", "90 s", "1 min 30 s", "1 h". */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h && `${h} h`, m && `${m} min`, s && `${s} s`].filter(Boolean).join(" ");
}

/** What a mode does to the node, in the words an operator reads before pressing Apply. */
export function effectOf(mode: ApplyMode, tryTimeoutSeconds: number): string {
  switch (mode) {
    case "no-reboot":
      return "applies now without a reboot";
    case "staged":
      return "staged until the next reboot";
    case "try":
      return `applied for ${formatSeconds(tryTimeoutSeconds)}, then reverted unless kept`;
    case "reboot":
      return "reboots the node";
    case "auto":
      return "applies now, or reboots the node if the change needs it";
  }
}

/** REBOOT is Unimplemented outside maintenance from Talos 1.14 on (ApplyConfiguration in machined's v1alpha1_server.go). */
export function rebootModeAvailable(talosVersion: string | null): boolean {
  return !rebootModeRemoved(talosVersion ?? "");
}

/** A dry run's mode_details without the node's own (unredacted) diff. */
export function dryRunSummary(modeDetails: string): string {
  const at = modeDetails.indexOf("Config diff:");
  return (at >= 0 ? modeDetails.slice(0, at) : modeDetails).trim();
}

/** The revision result of a successful apply in the mode the node used. */
export function resultOfMode(mode: ApplyMode): RevisionResult {
  if (mode === "staged") return "staged";
  if (mode === "try") return "trying";
  return "applied";
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object" && !(v instanceof Date)) {
    return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

/**
 * SHA-256 of a config's content, blind to comments, key order and formatting: Talos re-encodes
 * what it is given, so a byte comparison would call every applied config "drifted". Text that
 * does not parse is hashed as is.
 */
export function configHash(yaml: string): string {
  let canonical: string;
  try {
    // parseStream: yaml's own duplicate-key check is quadratic, and this hashes raw user input.
    const list = parseStream(yaml);
    if (list.some((d) => d.errors.length > 0)) throw new Error("unparseable");
    // indexAliases: yaml's alias lookup is quadratic in the number of anchors and aliases.
    canonical = JSON.stringify(list.filter((d) => d.contents !== null).map((d) => (indexAliases(d), sortKeys(d.toJS({ maxAliasCount: 100 })))));
  } catch {
    canonical = yaml;
  }
  return createHash("sha256").update(canonical).digest("hex");
}
