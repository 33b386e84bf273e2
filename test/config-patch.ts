/** Helpers of the config patcher tests (lib/config/patch): apply, errors, and Talos's test configs. */

import { expect } from "vitest";

import { applyPatches, loadPatch } from "@/lib/config/patch";
import { SourceError } from "@/lib/talos/errors";

export const y = (s: string) => s.replace(/^\n/, "");

export function apply(config: string, ...patches: string[]): string {
  return applyPatches(
    y(config),
    patches.map((p, i) => loadPatch(y(p), `patch${i + 1}.yaml`)),
  );
}

export function applyError(config: string, ...patches: string[]): SourceError {
  try {
    apply(config, ...patches);
  } catch (e) {
    expect(e).toBeInstanceOf(SourceError);
    return e as SourceError;
  }
  throw new Error("expected an error");
}

export function loadError(text: string, source = "p.yaml"): SourceError {
  try {
    loadPatch(y(text), source);
  } catch (e) {
    expect(e).toBeInstanceOf(SourceError);
    return e as SourceError;
  }
  throw new Error("expected an error");
}

export const APPLY_CONFIG = `
version: v1alpha1
machine:
  network:
    hostname: hostname1
    interfaces:
      - interface: eth0
        dhcp: true
cluster:
  proxy:
    extraArgs:
       metrics-bind-address: $(POD_IP):10249
       foo: bar
`;

export const MULTIDOC_CONFIG = `
version: v1alpha1
machine:
  network:
    hostname: hostname1
    interfaces:
      - interface: eth0
        dhcp: true
---
apiVersion: v1alpha1
kind: SideroLinkConfig
apiUrl: https://siderolink.api/join?jointoken=secret&user=alice
---
apiVersion: v1alpha1
kind: ExtensionServiceConfig
name: foo
configFiles:
    - content: hello
      mountPath: /etc/foo
environment:
    - FOO=BAR
`;
