/**
 * The issue's "done when": random manifests (shared patches by role, label, hostname glob and
 * node list; node patches; generation inputs) on every contract 1.10–1.14 are rendered, the
 * renders adopted, and the adopted manifest must render every node identically. A seeded PRNG
 * (fixed seeds here, so CI is repeatable); a failure prints its seed and the manifest.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { stringify } from "yaml";
import { describe, expect, it } from "vitest";

import { configDifferences } from "@/lib/manifest/compare";
import { ManifestRenderer } from "@/lib/manifest/render";
import { parseManifest } from "@/lib/manifest/parse";
import { redactManifest } from "@/lib/manifest/redact";
import { manifestSchema } from "@/lib/manifest/schema";
import { parseSecretsBundle } from "@/lib/talos/secrets/bundle";

import { adoptManifest } from "./index";
import { MIRROR_PASSWORD, randomManifest } from "@/test/manifest/random-manifest";
import { anchorsAndAliases } from "@/test/manifest/yaml-anchors";

const secrets = parseSecretsBundle(readFileSync(path.join(__dirname, "../../talos/generate/testdata/secrets.yaml"), "utf8"), "secrets.yaml");

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

describe.each([10, 11, 12, 13, 14])("adoption round trip on contract 1.%i (property)", (minor) => {
  it.each(SEEDS)("reproduces the random manifest of seed %i", (seed) => {
    const original = manifestSchema.parse(randomManifest(seed, minor));
    const renderer = new ManifestRenderer(original, secrets);
    const running = original.nodes.map((n) => ({ address: n.address, hostname: n.hostname, role: n.role, config: renderer.render(n), version: original.cluster.talosVersion }));
    const adopted = adoptManifest({ nodes: running, secrets });
    const context = `seed ${seed}, contract 1.${minor}\n--- original\n${stringify(original)}\n--- adopted\n${adopted.yaml}`;
    expect(adopted.report.nodes.filter((r) => !r.reproduced), context).toEqual([]);
    // What every later PUT, plan and render reads: the text, through parseManifest.
    const parsed = parseManifest(adopted.yaml);
    expect(parsed.issues.filter((i) => i.severity === "error"), context).toEqual([]);
    expect(anchorsAndAliases(adopted.yaml), context).toEqual([]);
    // Mirror credentials only inside patch strings (the parts redaction covers).
    const outside = structuredClone(parsed.manifest!);
    for (const p of outside.patches ?? []) p.patch = "";
    for (const n of outside.nodes) delete n.patch;
    expect(JSON.stringify(outside), context).not.toContain(MIRROR_PASSWORD);
    expect(redactManifest(adopted.yaml), context).not.toContain(MIRROR_PASSWORD);
    const again = new ManifestRenderer(parsed.manifest!, secrets);
    for (const [i, n] of parsed.manifest!.nodes.entries()) {
      expect(configDifferences(again.render(n), running[i]!.config), `${context}\n--- node ${n.hostname}`).toEqual([]);
    }
    expect(adopted.contract.chosen).toBe(`1.${minor}`);
  });
});
