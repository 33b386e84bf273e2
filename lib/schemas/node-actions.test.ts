import { describe, expect, it } from "vitest";

import { rebootBodySchema, resetBodySchema, serviceIdSchema, shutdownBodySchema } from "@/lib/schemas/node-actions";

describe("node action bodies", () => {
  it("reboot defaults to Talos's default mode and refuses FORCE (not offered) and unknown fields", () => {
    expect(rebootBodySchema.parse({})).toEqual({ mode: "default" });
    expect(rebootBodySchema.safeParse({ mode: "force" }).success).toBe(false);
    expect(rebootBodySchema.safeParse({ mode: "default", now: true }).success).toBe(false);
  });

  it("shutdown is not forced unless asked", () => {
    expect(shutdownBodySchema.parse({})).toEqual({ force: false });
  });

  it("reset: user-disks needs the disks named; system-disk refuses them; paths only", () => {
    const base = { graceful: true, confirm: "w-1" };
    expect(resetBodySchema.parse({ ...base, mode: "all" })).toEqual({ ...base, mode: "all", reboot: false });
    const missing = resetBodySchema.safeParse({ ...base, mode: "user-disks" });
    expect(missing.success).toBe(false);
    expect(missing.error?.issues[0]).toMatchObject({ path: ["userDisks"], message: "wipe mode user-disks wipes only the disks named: list at least one (e.g. /dev/sdb)" });
    expect(resetBodySchema.safeParse({ ...base, mode: "user-disks", userDisks: ["/dev/sdb"] }).success).toBe(true);
    expect(resetBodySchema.safeParse({ ...base, mode: "system-disk", userDisks: ["/dev/sdb"] }).success).toBe(false);
    expect(resetBodySchema.safeParse({ ...base, mode: "all", userDisks: ["sdb; rm"] }).success).toBe(false);
    expect(resetBodySchema.safeParse({ graceful: true, mode: "all", confirm: "" }).success).toBe(false);
  });

  it("service ids are Talos's shape", () => {
    for (const ok of ["kubelet", "ext-iscsi-tools", "etcd"]) expect(serviceIdSchema.safeParse(ok).success).toBe(true);
    for (const bad of ["", "../x", "a b", "-x"]) expect(serviceIdSchema.safeParse(bad).success).toBe(false);
  });
});
