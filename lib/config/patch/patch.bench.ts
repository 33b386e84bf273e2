/**
 * Patch latency: a typical strategic patch on the 1.12 control-plane fixture, a JSON patch on
 * it, and growth checks on user input (a patch deleting 10,000 list items from a 20,000-item
 * list, and a 10,000-device keyed merge), which must stay linear: each doubling of the input
 * should about double the time.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { p50 } from "@/test/bench/stats";
import type { Bench, BenchRow } from "@/test/bench/types";

import { applyPatches, loadPatch } from "./index";


function bigList(n: number): { config: string; deletes: string; devicesConfig: string; devicesPatch: string } {
  const items = Array.from({ length: n }, (_, i) => `  - address: 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32\n`).join("");
  const config = `apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\naddresses:\n${items}`;
  const deletes = `apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\naddresses:\n${Array.from({ length: n / 2 }, (_, i) => `  - address: 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32\n    $patch: delete\n`).join("")}`;
  const devices = (mtu: number) => Array.from({ length: n / 2 }, (_, i) => `      - interface: eth${i}\n        mtu: ${mtu}\n`).join("");
  const withDevices = (mtu: number) => `version: v1alpha1\nmachine:\n  network:\n    interfaces:\n${devices(mtu)}`;
  return { config, deletes, devicesConfig: withDevices(1500), devicesPatch: withDevices(9000) };
}

const bench: Bench = async () => {
  const base = readFileSync(path.join(__dirname, "../testdata/controlplane-1.12.yaml"), "utf8");
  const strategic = loadPatch("machine:\n  network:\n    hostname: cp-1\n    interfaces:\n      - interface: eth0\n        addresses: [10.0.0.2/24]\n  nodeLabels:\n    zone: a\n", "p.yaml");
  const json = loadPatch('[{"op": "add", "path": "/machine/certSANs/-", "value": "cp-1.example"}]', "p.json");
  const rows: BenchRow[] = [];
  const note = `${base.length} bytes, p50 of 50`;
  rows.push({ suite: "config-patch", name: "control plane: strategic patch", value: Number(p50(() => applyPatches(base, [strategic]), 50, 3).toFixed(2)), unit: "ms", note });
  // Talos takes JSON patches on single-document configs only: the fixture's v1alpha1 document.
  const v1 = base.split(/^---$/m)[0]!;
  rows.push({ suite: "config-patch", name: "control plane (v1alpha1 only): JSON patch", value: Number(p50(() => applyPatches(v1, [json]), 50, 3).toFixed(2)), unit: "ms", note: `${v1.length} bytes, p50 of 50` });
  for (const n of [10_000, 20_000]) {
    const { config, deletes, devicesConfig, devicesPatch } = bigList(n);
    const del = loadPatch(deletes, "deletes.yaml");
    rows.push({ suite: "config-patch", name: `delete ${n / 2} of ${n} list items`, value: Number(p50(() => applyPatches(config, [del]), 3, 1).toFixed(1)), unit: "ms", note: "p50 of 3" });
    const patch = loadPatch(devicesPatch, "merge.yaml");
    rows.push({ suite: "config-patch", name: `keyed merge of ${n / 2} devices into ${n / 2}`, value: Number(p50(() => applyPatches(devicesConfig, [patch]), 3, 1).toFixed(1)), unit: "ms", note: "p50 of 3" });
  }
  return rows;
};

export default bench;
