import { describe, expect, it } from "vitest";

import { SourceError } from "@/lib/talos/errors";

import type { InputFile } from "./common";
import { UsageError } from "./flags";
import { parsePatchArgs, runPatch } from "./patch";

const CONFIG = `version: v1alpha1
machine:
    type: worker
    token: abc
    network: {}
cluster:
    controlPlane:
        endpoint: https://10.5.0.1:6443
`;

const files = (entries: Record<string, string | { error: string }>) =>
  new Map<string, InputFile>(Object.entries(entries).map(([name, v]) => [name, typeof v === "string" ? { name, text: v } : { name, error: v.error }]));

describe("parsePatchArgs", () => {
  it("takes repeatable -p/--patch (commas kept) and -o", () => {
    const o = parsePatchArgs(["w.yaml", "-p", "@a.yaml", "--patch", '[{"op": "add", "path": "/machine/certSANs", "value": ["a,b"]}]', "-o", "out.yaml"]);
    expect(o.file).toBe("w.yaml");
    expect(o.output).toBe("out.yaml");
    expect(o.patches).toEqual([
      { kind: "file", path: "a.yaml" },
      { kind: "inline", text: '[{"op": "add", "path": "/machine/certSANs", "value": ["a,b"]}]', source: "--patch #2" },
    ]);
  });
  it.each([[[]], [["a", "b"]], [["a", "--patch"]]])("usage error: %j", (argv) => expect(() => parsePatchArgs(argv)).toThrow(UsageError));
});

describe("runPatch", () => {
  it("applies patches in order; stdout gets a trailing newline as talosctl prints it", () => {
    const o = parsePatchArgs(["w.yaml", "-p", "@host.yaml", "-p", "machine:\n  network:\n    hostname: node-2"]);
    const plan = runPatch(o, files({ "w.yaml": CONFIG, "host.yaml": "machine:\n  network:\n    hostname: node-1\n" }));
    expect(plan.stdout).toContain("        hostname: node-2\n");
    expect(plan.stdout).not.toContain("node-1");
    expect(plan.stdout.endsWith("\n\n")).toBe(true);
    expect(plan.files).toEqual([]);
  });

  it("-o plans OUT without the extra newline, replaceable", () => {
    const plan = runPatch(parsePatchArgs(["w.yaml", "-p", "machine:\n  network:\n    hostname: n", "-o", "out/n.yaml"]), files({ "w.yaml": CONFIG }));
    expect(plan.files).toHaveLength(1);
    expect(plan.files[0]).toMatchObject({ path: "out/n.yaml", mode: 0o644, noClobber: false });
    expect(plan.files[0]!.data.endsWith("\n\n")).toBe(false);
  });

  it("without patches writes the input back unchanged", () => {
    const odd = "machine:   {type: worker}\n";
    expect(runPatch(parsePatchArgs(["w.yaml"]), files({ "w.yaml": odd })).stdout).toBe(`${odd}\n`);
  });

  it("a patch that does not apply is an error at the patch", () => {
    const e = (() => {
      try {
        runPatch(parsePatchArgs(["w.yaml", "-p", "@bad.json"]), files({ "w.yaml": CONFIG, "bad.json": '[{"op": "remove", "path": "/machine/nope"}]' }));
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(SourceError);
    expect((e as SourceError).place.source).toBe("bad.json");
  });

  it("an unreadable patch file or config is an error naming it", () => {
    expect(() => runPatch(parsePatchArgs(["w.yaml", "-p", "@gone.yaml"]), files({ "w.yaml": CONFIG, "gone.yaml": { error: "no such file" } }))).toThrow("no such file");
    expect(() => runPatch(parsePatchArgs(["gone.yaml"]), files({ "gone.yaml": { error: "no such file" } }))).toThrow(SourceError);
  });
});

describe("runPatch output as talosctl prints it", () => {
  it("after a JSON patch: ghodss/yaml text (keys sorted, indent 2)", () => {
    const plan = runPatch(parsePatchArgs(["w.yaml", "-p", '[{"op": "add", "path": "/machine/certSANs", "value": ["a.example"]}]']), files({ "w.yaml": CONFIG }));
    expect(plan.stdout).toBe(
      [
        "cluster:",
        "  controlPlane:",
        "    endpoint: https://10.5.0.1:6443",
        "machine:",
        "  certSANs:",
        "  - a.example",
        "  network: {}",
        "  token: abc",
        "  type: worker",
        "version: v1alpha1",
        "",
        "",
      ].join("\n"),
    );
  });
});
