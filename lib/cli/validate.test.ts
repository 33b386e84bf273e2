import { spawnSync } from "node:child_process";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { parseValidateArgs, runValidate, UsageError } from "./validate";

const root = path.resolve(__dirname, "../..");
const bin = path.join(root, "bin/minos.mjs");
const fixture = (name: string) => path.join(root, "lib/config/testdata", name);

function minos(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: "/", input, encoding: "utf8", timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("parseValidateArgs", () => {
  it.each([
    [["a.yaml"], { files: ["a.yaml"], patch: false, json: false, talosVersion: undefined }],
    [["--talos-version", "v1.13.9", "--patch", "a", "b"], { files: ["a", "b"], patch: true, talosVersion: "1.13" }],
    [["--mode", "metal", "--json", "-"], { files: ["-"], mode: "metal", json: true }],
  ])("%j", (argv, expected) => expect(parseValidateArgs(argv)).toMatchObject(expected));

  it.each([[["--mode", "vm", "a"]], [["--talos-version", "latest", "a"]], [["--bogus", "a"]], [[]]])("rejects %j", (argv) =>
    expect(() => parseValidateArgs(argv)).toThrow(UsageError),
  );
});

describe("runValidate", () => {
  it("formats FILE:LINE:COL: severity: message (path) and exits 1 on errors", () => {
    const out = runValidate({ patch: true, json: false }, [{ name: "p.yaml", text: "machine:\n  foo: 1\n" }]);
    expect(out.stdout).toBe("p.yaml:2:3: error: unknown key `foo` (machine.foo)\n");
    expect(out.exitCode).toBe(1);
  });

  it("exits 0 with warnings only", () => {
    const out = runValidate({ patch: true, json: false }, [{ name: "p.yaml", text: "machine:\n  type: join\n" }]);
    expect(out.stdout).toContain("p.yaml:2:9: warning:");
    expect(out.exitCode).toBe(0);
  });

  it("exits 2 when a file is unreadable, still reporting the others", () => {
    const out = runValidate({ patch: true, json: true }, [
      { name: "gone.yaml", error: "no such file" },
      { name: "ok.yaml", text: "machine:\n  type: worker\n" },
    ]);
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toContain("gone.yaml: no such file");
    expect(JSON.parse(out.stdout)).toEqual([{ file: "ok.yaml", valid: true, issues: [] }]);
  });
});

describe("bin/minos.mjs", () => {
  it("reports an unknown key at its position, exit 1", () => {
    const file = fixture("invalid/unknown-key.yaml");
    const r = minos(["validate", file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${file}:4:3: error: unknown key \`tpye\` (machine.tpye)`);
  });

  it("validates a valid config, exit 0; several files and --json", () => {
    const ok = fixture("worker-1.12.yaml");
    const bad = fixture("invalid/bad-endpoint-patch.yaml");
    const r = minos(["validate", "--talos-version", "1.12", "--patch", "--json", ok, bad]);
    expect(r.code).toBe(1);
    const reports = JSON.parse(r.stdout) as { file: string; valid: boolean; issues: { line: number; column: number; message: string }[] }[];
    expect(reports.map((x) => [x.file, x.valid])).toEqual([
      [ok, true],
      [bad, false],
    ]);
    expect(reports[1]!.issues).toContainEqual(expect.objectContaining({ line: 4, column: 15, message: expect.stringContaining("https") }));
  });

  it("reads standard input with -, warnings only → exit 0", () => {
    const r = minos(["validate", "--patch", "-"], "machine:\n  type: join\n");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^<stdin>:2:9: warning: use "worker" instead of "join"/);
  });

  it("exits 2 on usage errors and missing files", () => {
    expect(minos(["validate", "--mode", "vm", "x.yaml"]).code).toBe(2);
    const r = minos(["validate", "/definitely/not/here.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no such file");
    expect(minos(["frobnicate"]).code).toBe(2);
  });
});
