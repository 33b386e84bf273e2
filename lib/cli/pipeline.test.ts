/**
 * End to end through bin/minos.mjs in a temporary directory: gen secrets → gen config
 * --with-secrets → machineconfig patch → validate, and the failures that must write nothing.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";

const bin = path.resolve(__dirname, "../../bin/minos.mjs");
let dir: string;

function minos(args: string[], input?: string, umask?: string) {
  const [cmd, argv] = umask === undefined ? [process.execPath, [bin, ...args]] : ["sh", ["-c", `umask ${umask} && exec "$0" "$@"`, process.execPath, bin, ...args]];
  const r = spawnSync(cmd, argv, { cwd: dir, input, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const file = (name: string) => path.join(dir, name);
const read = (name: string) => readFileSync(file(name), "utf8");

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "minos-cli-e2e-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each run starts tsx (~1.5 s) and a new bundle makes an RSA-4096 key: generous timeouts.
describe("minos gen secrets → gen config → machineconfig patch → validate", { timeout: 90_000 }, () => {
  it("gen secrets writes secrets.yaml (0600) and refuses to overwrite it without --force", () => {
    const r = minos(["gen", "secrets", "--talos-version", "1.11"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(statSync(file("secrets.yaml")).mode & 0o777).toBe(0o600);
    const before = read("secrets.yaml");
    expect(before).toMatch(/^cluster:\n {4}id: /);

    const again = minos(["gen", "secrets"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('secrets.yaml: error: file "secrets.yaml" already exists, use --force to overwrite\n');
    expect(read("secrets.yaml")).toBe(before);
    expect(minos(["gen", "secrets", "-o", "-"]).stdout).toMatch(/^cluster:/);
  });

  it("gen config --with-secrets writes the three files with the bundle's secrets and the patches", () => {
    writeFileSync(file("all.yaml"), "machine:\n    kubelet:\n        extraArgs:\n            rotate-server-certificates: \"true\"\n");
    const r = minos([
      "gen",
      "config",
      "demo",
      "https://10.5.0.2:6443",
      "--with-secrets",
      "secrets.yaml",
      "--talos-version",
      "1.11",
      "--kubernetes-version",
      "1.33.1",
      "--with-docs=false",
      "--with-examples=false",
      "--config-patch",
      "@all.yaml",
      "--config-patch-worker",
      '[{"op": "add", "path": "/machine/certSANs", "value": ["w.example"]}]',
      "-o",
      "out",
    ]);
    expect(r.stderr).toBe("Created out/controlplane.yaml\nCreated out/worker.yaml\nCreated out/talosconfig\n");
    expect(r.code).toBe(0);
    const cp = parseAllDocuments(read("out/controlplane.yaml")).map((d) => d.toJS() as Record<string, never>);
    const worker = parseAllDocuments(read("out/worker.yaml")).map((d) => d.toJS() as Record<string, never>);
    const secrets = parseAllDocuments(read("secrets.yaml"))[0]!.toJS() as { trustdinfo: { token: string } };
    expect(cp[0]).toMatchObject({ machine: { type: "controlplane", token: secrets.trustdinfo.token, kubelet: { extraArgs: { "rotate-server-certificates": "true" } } } });
    expect(worker[0]).toMatchObject({ machine: { type: "worker", certSANs: ["w.example"], kubelet: { extraArgs: { "rotate-server-certificates": "true" } } } });
    expect((cp[0] as unknown as { machine: { certSANs?: string[] } }).machine.certSANs ?? []).not.toContain("w.example");
    expect(read("out/talosconfig")).toMatch(/^context: demo\n/);
  });

  it("machineconfig patch applies per-node patches; the result validates", () => {
    writeFileSync(file("node-1.yaml"), "machine:\n    network:\n        hostname: node-1\n");
    const r = minos(["machineconfig", "patch", "out/worker.yaml", "--patch", "@node-1.yaml", "-o", "nodes/node-1.yaml"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(read("nodes/node-1.yaml")).toContain("hostname: node-1");
    const v = minos(["validate", "--talos-version", "1.11", "nodes/node-1.yaml", "out/controlplane.yaml"]);
    expect(v.stdout.split("\n").filter((l) => l.includes(": error:"))).toEqual([]);
    expect(v.code).toBe(0);
    // Without -o: standard output, followed by a newline as talosctl prints it.
    const out = minos(["mc", "patch", "out/worker.yaml", "-p", "machine:\n    network:\n        hostname: node-2"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("hostname: node-2");
    expect(out.stdout.endsWith("\n\n")).toBe(true);
  });
});

describe("minos migrate", { timeout: 90_000 }, () => {
  it("moves the deprecated fields, warns about the decisions on stderr, and the result validates for 1.14", () => {
    writeFileSync(
      file("old.yaml"),
      "version: v1alpha1\nmachine:\n    type: worker\n    token: abc\n    nodeLabels:\n        zone: a\ncluster:\n    proxy:\n        mode: ipvs\n",
    );
    const r = minos(["migrate", "old.yaml", "--to", "1.14", "-o", "new.yaml"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("old.yaml:8:5: warning: KubeProxyConfig needs an image; set `cluster.proxy.image` first (cluster.proxy)\n");
    expect(read("new.yaml")).toContain("kind: KubeNodeConfig");
    // A fragment (no CAs): validated as a patch.
    const v = minos(["validate", "--talos-version", "1.14", "--patch", "--json", "new.yaml"]);
    const issues = (JSON.parse(v.stdout) as { issues: { severity: string; message: string }[] }[])[0]!.issues;
    expect(issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(issues.some((i) => i.message.includes("nodeLabels"))).toBe(false);
  });

  it("broken YAML: exit 1 at its place, no output", () => {
    writeFileSync(file("broken.yaml"), "machine:\n    type: [worker\n");
    const r = minos(["migrate", "broken.yaml", "--to", "1.14", "-o", "never.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^broken\.yaml:\d+:\d+: error: /);
    expect(existsSync(file("never.yaml"))).toBe(false);
  });
});

describe("failures exit 1 with FILE:LINE:COL and write nothing", { timeout: 90_000 }, () => {
  const listing = () => readdirSync(dir).sort();

  it("a patch that does not apply", () => {
    writeFileSync(file("bad-op.json"), '[\n  {"op": "remove", "path": "/machine/nope"}\n]\n');
    const before = listing();
    const r = minos(["gen", "config", "demo", "https://10.5.0.2:6443", "--with-secrets", "secrets.yaml", "--config-patch", "@bad-op.json", "-o", "out2"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^bad-op\.json(:\d+:\d+)?: error: /);
    expect(listing()).toEqual(before);
  });

  it("an unreadable secrets bundle names its line and column", () => {
    writeFileSync(file("broken-secrets.yaml"), "cluster:\n    id: [unclosed\n");
    const r = minos(["gen", "config", "demo", "https://10.5.0.2:6443", "--with-secrets", "broken-secrets.yaml", "-o", "out3"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^broken-secrets\.yaml:\d+:\d+: error: /);
    expect(existsSync(file("out3"))).toBe(false);
  });

  it("an unknown version, a bad endpoint, a malformed mirror", () => {
    const base = ["gen", "config", "demo", "https://10.5.0.2:6443", "--with-secrets", "secrets.yaml", "-o", "out4"];
    expect(minos([...base, "--talos-version", "1.9"]).stderr).toMatch(/^--talos-version: error: unsupported Talos version contract v1\.9/);
    expect(minos([...base, "--registry-mirror", "docker.io"]).stderr).toBe('--registry-mirror: error: invalid registry mirror spec: "docker.io"\n');
    const ep = minos(["gen", "config", "demo", "10.5.0.2", "-o", "out4"]);
    expect(ep.code).toBe(1);
    expect(ep.stderr).toContain('no scheme and port specified for the cluster endpoint URL\ntry: "https://10.5.0.2:6443"');
    expect(existsSync(file("out4"))).toBe(false);
  });

  it("one existing output: every conflict is reported and no file is written", () => {
    rmSync(file("out5"), { recursive: true, force: true });
    const base = ["gen", "config", "demo", "https://10.5.0.2:6443", "--with-secrets", "secrets.yaml", "-o", "out5"];
    expect(minos(base).code).toBe(0);
    rmSync(file("out5/controlplane.yaml"));
    rmSync(file("out5/talosconfig"));
    const r = minos(base);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('out5/worker.yaml: error: file "out5/worker.yaml" already exists, use --force to overwrite\n');
    expect(readdirSync(file("out5"))).toEqual(["worker.yaml"]);
    expect(minos([...base, "--force"]).code).toBe(0);
    expect(readdirSync(file("out5")).sort()).toEqual(["controlplane.yaml", "talosconfig", "worker.yaml"]);
  });

  it("a bad endpoint is reported before existing outputs, as talosctl does", () => {
    mkdirSync(file("out6"));
    writeFileSync(file("out6/controlplane.yaml"), "old");
    const r = minos(["gen", "config", "c", "1.2.3.4", "-o", "out6"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('ENDPOINT: error: no scheme and port specified for the cluster endpoint URL\ntry: "https://1.2.3.4:6443"\n');
    expect(minos(["gen", "secrets", "--talos-version", "0.x"]).stderr).toMatch(/^--talos-version: error: invalid talos-version/);
    expect(readdirSync(file("out6"))).toEqual(["controlplane.yaml"]);
  });

  it("usage errors exit 2", () => {
    expect(minos(["gen", "config", "demo"]).code).toBe(2);
    expect(minos(["gen", "config", "demo", "https://a:6443", "--with-docs=perhaps"]).code).toBe(2);
    expect(minos(["gen", "frobnicate"]).code).toBe(2);
    expect(minos(["machineconfig", "patch"]).code).toBe(2);
    expect(minos(["migrate", "x.yaml"]).code).toBe(2);
    // Each command's own usage message, not a stack trace.
    const v = minos(["validate", "--mode", "vm", "x.yaml"]);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/^minos validate: --mode: /);
    expect(minos(["gen", "config", "demo"]).stderr).toMatch(/^minos gen config: accepts 2 arg\(s\), received 1\n/);
  });
});

describe("outputs are written as talosctl's os.WriteFile writes them", { timeout: 90_000 }, () => {
  it("the umask applies: under umask 077 the configs (CA and admin keys) are 0600", () => {
    const r = minos(["gen", "config", "demo", "https://10.5.0.2:6443", "--with-secrets", "secrets.yaml", "-o", "private"], undefined, "077");
    expect(r.code).toBe(0);
    for (const f of ["controlplane.yaml", "worker.yaml", "talosconfig"]) expect(statSync(file(`private/${f}`)).mode & 0o777).toBe(0o600);
  });

  it("mc patch -o onto a symlinked 0600 file writes through the link and keeps the mode", () => {
    mkdirSync(file("real"), { recursive: true });
    writeFileSync(file("real/node.yaml"), read("out/worker.yaml"));
    chmodSync(file("real/node.yaml"), 0o600);
    symlinkSync("real/node.yaml", file("link.yaml"));
    const r = minos(["mc", "patch", "link.yaml", "-p", "machine:\n    network:\n        hostname: linked", "-o", "link.yaml"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(lstatSync(file("link.yaml")).isSymbolicLink()).toBe(true);
    expect(read("real/node.yaml")).toContain("hostname: linked");
    expect(statSync(file("real/node.yaml")).mode & 0o777).toBe(0o600);
    expect(readdirSync(file("real"))).toEqual(["node.yaml"]);
  });

  it("-o /dev/stdout writes into the descriptor (a file the caller opened), replacing nothing", () => {
    // A file, not spawnSync's default pipe: libuv's pipes are sockets, which open(2) cannot reopen (ENXIO, talosctl too).
    writeFileSync(file("stdout.txt"), "");
    const fd = openSync(file("stdout.txt"), "w");
    const inode = statSync(file("stdout.txt")).ino;
    let r;
    try {
      r = spawnSync(process.execPath, [bin, "mc", "patch", "out/worker.yaml", "-p", "machine:\n    network:\n        hostname: piped", "-o", "/dev/stdout"], {
        cwd: dir,
        stdio: ["ignore", fd, "pipe"],
        encoding: "utf8",
        timeout: 60_000,
      });
    } finally {
      closeSync(fd);
    }
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(read("stdout.txt")).toContain("hostname: piped");
    expect(statSync(file("stdout.txt")).ino).toBe(inode);
    expect(lstatSync("/dev/stdout").isSymbolicLink()).toBe(true);
  });
});
