import { describe, expect, it } from "vitest";

import { SourceError } from "@/lib/talos/errors";

import type { InputFile } from "./common";
import { UsageError } from "./flags";
import { parseMigrateArgs, runMigrate } from "./migrate";

const files = (text: string, name = "node.yaml") => new Map<string, InputFile>([[name, { name, text }]]);

const CONFIG = `version: v1alpha1
machine:
    type: worker
    nodeLabels:
        zone: a
cluster:
    proxy:
        mode: ipvs
`;

describe("parseMigrateArgs", () => {
  it("takes FILE, --to and -o", () => {
    expect(parseMigrateArgs(["node.yaml", "--to", "1.14", "-o", "out.yaml"])).toEqual({ help: false, file: "node.yaml", to: "1.14", output: "out.yaml" });
  });
  it.each([[["node.yaml"]], [["--to", "1.14"]], [["a", "b", "--to", "1.14"]]])("usage error: %j", (argv) => expect(() => parseMigrateArgs(argv)).toThrow(UsageError));
});

describe("runMigrate", () => {
  it("moves what needs no decision and reports the rest at its place on stderr", () => {
    const plan = runMigrate(parseMigrateArgs(["node.yaml", "--to", "v1.14.0"]), files(CONFIG));
    expect(plan.stdout).toContain("kind: KubeNodeConfig");
    expect(plan.stdout).not.toContain("nodeLabels");
    expect(plan.stderr).toBe("node.yaml:7:5: warning: KubeProxyConfig needs an image; set `cluster.proxy.image` first (cluster.proxy)\n");
    expect(plan.files).toEqual([]);
  });

  it("-o plans OUT (replaceable, 0644)", () => {
    const plan = runMigrate(parseMigrateArgs(["node.yaml", "--to", "1.14", "-o", "out.yaml"]), files(CONFIG));
    expect(plan.stdout).toBe("");
    expect(plan.files).toEqual([{ path: "out.yaml", data: expect.stringContaining("KubeNodeConfig") as string, mode: 0o644, noClobber: false, announce: false }]);
  });

  it.each([
    [["--to", "1.13"], "--to", "cannot migrate to 1.13"],
    [["--to", "soon"], "--to", "error parsing version"],
  ])("%j is an error at %s", (extra, source, message) => {
    const e = (() => {
      try {
        runMigrate(parseMigrateArgs(["node.yaml", ...extra]), files(CONFIG));
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(SourceError);
    expect((e as SourceError).place.source).toBe(source);
    expect((e as SourceError).message).toContain(message);
  });

  it("broken YAML is an error at its line and column", () => {
    expect(() => runMigrate(parseMigrateArgs(["node.yaml", "--to", "1.14"]), files("machine:\n  type: [worker\n"))).toThrow(SourceError);
    try {
      runMigrate(parseMigrateArgs(["node.yaml", "--to", "1.14"]), files("machine:\n  type: [worker\n"));
    } catch (e) {
      expect((e as SourceError).place).toMatchObject({ source: "node.yaml", line: expect.any(Number) as number });
    }
  });

  it("an unreadable file is an error naming it", () => {
    const m = new Map<string, InputFile>([["gone.yaml", { name: "gone.yaml", error: "no such file" }]]);
    expect(() => runMigrate(parseMigrateArgs(["gone.yaml", "--to", "1.14"]), m)).toThrow("no such file");
  });
});
