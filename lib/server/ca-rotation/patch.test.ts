import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";

import { type CertAndKey, createTalosCa, toTalosKeyPem } from "@/lib/talos/pki";

import { addAccepted, checkPatchable, configCa, dropAccepted, sameCertB64, swapIssuer } from "./patch";

let oldCa: CertAndKey;
let newCa: CertAndKey;
const b64 = (s: string) => Buffer.from(s).toString("base64");

beforeAll(async () => {
  [oldCa, newCa] = await Promise.all([createTalosCa("os"), createTalosCa("os")]);
});

const config = (role: "controlplane" | "worker") =>
  [
    "# the operator's comment stays",
    "version: v1alpha1",
    "machine:",
    `    type: ${role}`,
    "    ca:",
    `        crt: ${b64(oldCa.certPem)}`,
    ...(role === "controlplane" ? [`        key: ${b64(toTalosKeyPem(oldCa.keyPem))}`] : []),
    "cluster:",
    "    clusterName: c",
    "---",
    "apiVersion: v1alpha1",
    "kind: HostnameConfig",
    "hostname: n1",
    "",
  ].join("\n");

const machineOf = (text: string) => (parse(text.split(/^---$/m)[0]!) as { machine: { ca: { crt: string; key?: string }; acceptedCAs?: { crt: string }[] } }).machine;

describe("rotate-ca's patches", () => {
  it("walks accept → swap → drop on a control plane, keeping comments and the other documents", () => {
    const newCrt = configCa(newCa.certPem, null).crt;
    const oldCrt = configCa(oldCa.certPem, null).crt;
    const a = addAccepted(config("controlplane"), "machine", newCrt);
    expect(a.changed).toBe(true);
    expect(machineOf(a.text).acceptedCAs).toEqual([{ crt: newCrt }]);
    expect(a.text).toContain("# the operator's comment stays");
    expect(a.text).toContain("kind: HostnameConfig");

    const s = swapIssuer(a.text, "machine", "controlplane", configCa(newCa.certPem, toTalosKeyPem(newCa.keyPem)) as Required<ReturnType<typeof configCa>>, oldCrt);
    expect(s.changed).toBe(true);
    const m = machineOf(s.text);
    expect(sameCertB64(m.ca.crt, newCrt)).toBe(true);
    expect(m.ca.key).toBe(b64(toTalosKeyPem(newCa.keyPem)));
    expect(m.acceptedCAs).toEqual([{ crt: oldCrt }]);

    const d = dropAccepted(s.text, "machine", oldCrt);
    expect(d.changed).toBe(true);
    expect(machineOf(d.text).acceptedCAs).toEqual([]);
  });

  it("is idempotent: a patch already applied changes nothing (a resumed step sends nothing)", () => {
    const newCrt = configCa(newCa.certPem, null).crt;
    const oldCrt = configCa(oldCa.certPem, null).crt;
    const newPair = configCa(newCa.certPem, toTalosKeyPem(newCa.keyPem)) as Required<ReturnType<typeof configCa>>;
    const a = addAccepted(config("worker"), "machine", newCrt);
    expect(addAccepted(a.text, "machine", newCrt)).toEqual({ text: a.text, changed: false });
    const s = swapIssuer(a.text, "machine", "worker", newPair, oldCrt);
    expect(s.changed).toBe(true);
    // A worker gets the certificate alone, never the key.
    expect(machineOf(s.text).ca.key).toBeUndefined();
    expect(swapIssuer(s.text, "machine", "worker", newPair, oldCrt)).toEqual({ text: s.text, changed: false });
    const d = dropAccepted(s.text, "machine", oldCrt);
    expect(dropAccepted(d.text, "machine", oldCrt)).toEqual({ text: d.text, changed: false });
  });

  it("refuses what it cannot patch", () => {
    expect(checkPatchable("kind: HostnameConfig\napiVersion: v1alpha1\n", "machine")).toBe("the machine config has no v1alpha1 document");
    expect(checkPatchable(config("worker") + "---\napiVersion: v1alpha1\nkind: KubeAPIServerCAConfig\n", "cluster")).toMatch(/KubeAPIServerCAConfig/);
    expect(checkPatchable(config("worker"), "machine")).toBeNull();
  });
});
