import { describe, expect, it } from "vitest";

import { roleAllows, roleAtLeast } from "@/lib/auth/roles";
import { actionAvailability, talosCredentialLevel } from "@/lib/auth/talos-roles";

describe("roleAtLeast", () => {
  it.each([
    ["viewer", "viewer", true],
    ["viewer", "operator", false],
    ["operator", "viewer", true],
    ["operator", "admin", false],
    ["admin", "operator", true],
    ["admin", "admin", true],
  ] as const)("%s ≥ %s is %s", (role, min, expected) => {
    expect(roleAtLeast(role, min)).toBe(expected);
  });

  it("follows the issue's split of powers", () => {
    expect(roleAllows("viewer", "revealSecrets")).toBe(false);
    expect(roleAllows("operator", "reboot")).toBe(true);
    expect(roleAllows("operator", "pauseUpgrade")).toBe(true);
    expect(roleAllows("operator", "applyConfig")).toBe(false);
    expect(roleAllows("operator", "cancelUpgrade")).toBe(false);
    expect(roleAllows("admin", "manageTokens")).toBe(true);
  });
});

describe("talosconfig roles", () => {
  it("maps Organization values to the Minos level they amount to", () => {
    expect(talosCredentialLevel(["os:admin"])).toBe("admin");
    expect(talosCredentialLevel(["os:etcd:backup", "os:operator"])).toBe("operator");
    expect(talosCredentialLevel(["os:reader"])).toBe("viewer");
    expect(talosCredentialLevel(["os:etcd:backup"])).toBeNull();
  });

  it.each([
    // role, action, talos roles, allowed, reason fragment
    ["admin", "applyConfig", ["os:admin"], true, ""],
    ["admin", "applyConfig", ["os:reader"], false, "Talos needs os:admin for ApplyConfiguration"],
    ["admin", "startUpgrade", ["os:operator"], false, "os:admin for Upgrade"],
    ["operator", "reboot", ["os:operator"], true, ""],
    ["operator", "reboot", ["os:reader"], false, "os:operator for Reboot"],
    ["admin", "revealSecrets", ["os:reader"], false, "reading the machine config"],
    // Node actions: Talos's machined.go table (Shutdown, Service* for os:operator; Reset os:admin).
    ["operator", "shutdown", ["os:operator"], true, ""],
    ["operator", "serviceAction", ["os:reader"], false, "os:operator for ServiceStart/Stop/Restart"],
    ["operator", "resetNode", ["os:admin"], false, "Needs the Admin role in Minos"],
    ["admin", "resetNode", ["os:operator"], false, "os:admin for Reset"],
    ["admin", "resetNode", ["os:admin"], true, ""],
    // Pausing is Minos's own bookkeeping: a reader talosconfig does not stop it.
    ["operator", "pauseUpgrade", ["os:reader"], true, ""],
    ["viewer", "applyConfig", ["os:admin"], false, "Needs the Admin role in Minos; you are a Viewer"],
    ["operator", "applyConfig", ["os:admin"], false, "you are an Operator"],
    ["admin", "read", [], false, "carries no Talos role"],
  ] as const)("%s %s with %j → %s", (role, action, talos, allowed, reason) => {
    const a = actionAvailability(role, action, talos, "lab");
    expect(a.allowed).toBe(allowed);
    if (!a.allowed) expect(a.reason).toContain(reason);
  });

  it("names the cluster in the reason", () => {
    const a = actionAvailability("admin", "applyConfig", ["os:reader"], "prod-eu");
    expect(a).toEqual({ allowed: false, reason: "Minos's talosconfig for cluster prod-eu has os:reader; Talos needs os:admin for ApplyConfiguration" });
  });
});
