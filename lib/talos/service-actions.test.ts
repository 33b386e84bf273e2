import { describe, expect, it } from "vitest";

import { allowedServiceActions, serviceActionAllowed, serviceActionRefusal } from "@/lib/talos/service-actions";

describe("the services Talos's API may start, stop, restart (machined system.go)", () => {
  it.each([
    ["kubelet", ["start", "restart"]],
    ["ext-iscsid", ["start", "stop", "restart"]],
    ["ext-", []],
    ["etcd", []],
    ["apid", []],
    ["machined", []],
    ["containerd", []],
    ["cri", []],
    ["trustd", []],
    ["kubelet-extra", []],
  ])("%s → %j", (id, actions) => {
    expect(allowedServiceActions(id)).toEqual(actions);
  });

  it("kubelet cannot be stopped through the API; an extension can", () => {
    expect(serviceActionAllowed("kubelet", "stop")).toBe(false);
    expect(serviceActionAllowed("ext-tailscale", "stop")).toBe(true);
  });

  it("refuses with Talos's sentence (Go's %q quoting)", () => {
    expect(serviceActionRefusal("etcd", "restart")).toBe('service "etcd" doesn\'t support restart operation via API');
  });
});
