import { describe, expect, it } from "vitest";

import type { Actor } from "@/lib/server/auth/actor";
import { requireConfigAction, type TalosAccessDeps } from "@/lib/server/fleet/talos-access";

const admin: Actor = { kind: "user", id: "u1", name: "ada", role: "admin", label: "user:ada" };
const deps = (roles: string[]): TalosAccessDeps => ({
  resolveNode: async (id: string) => ({ cluster: id.split("@")[1]!, address: id.split("@")[0]! }),
  talosRoles: async () => roles,
});

describe("requireConfigAction", () => {
  it("refuses an apply on a cluster whose talosconfig is os:reader, with the sentence the UI shows", async () => {
    await expect(requireConfigAction(deps(["os:reader"]), admin, "applyConfig", { node: "10.0.0.5@prod" })).rejects.toMatchObject({
      code: "forbidden",
      message: "Minos's talosconfig for cluster prod has os:reader; Talos needs os:admin for ApplyConfiguration",
    });
    await expect(requireConfigAction(deps(["os:reader"]), admin, "startRollout", { cluster: "prod" })).rejects.toMatchObject({ code: "forbidden" });
  });

  it("lets an admin apply with os:admin credentials, and refuses an operator whatever the credentials", async () => {
    await expect(requireConfigAction(deps(["os:admin"]), admin, "applyConfig", { node: "10.0.0.5@prod" })).resolves.toBeUndefined();
    await expect(requireConfigAction(deps(["os:admin"]), { ...admin, role: "operator" }, "applyConfig", { cluster: "prod" })).rejects.toMatchObject({
      message: "Needs the Admin role in Minos; you are an Operator",
    });
  });
});
