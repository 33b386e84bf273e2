import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect, test } from "@playwright/test";
import { parse, stringify } from "yaml";

import { csrfHeader } from "./auth-state";

/**
 * The `minos` CLI against the e2e server, as a CI job runs it: an admin's API token in
 * MINOS_TOKEN, the server in MINOS_URL. It runs after manifest.spec.ts (file order), whose
 * "before adoption" page needs a cluster without a manifest; the cluster is (re-)adopted here
 * through the API first (`replace`);
 * then export → plan (no change) → a worker sysctl added → plan (the workers) → apply --yes
 * (followed to the rollout's end) → plan (no change again) → export (the new revision) → render
 * offline with the exported secrets bundle, file for file what the server renders.
 */
const CLUSTER = "sim-1";
const root = path.resolve(__dirname, "..");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function minos(args: string[], env: Record<string, string>, cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [path.join(root, "bin/minos.mjs"), ...args], { cwd, env: { ...process.env, ...env }, timeout: 150_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
    // Standard input is a pipe, never a terminal: apply must be told --yes.
    child.stdin?.end();
  });
}

test.describe("minos plan / apply / manifest export", () => {
  let dir: string;
  test.beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "minos-manifest-cli-"));
  });
  test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("adopt → export → plan → edit → plan → apply --yes → plan → export", async ({ request, baseURL }) => {
    test.setTimeout(240_000);
    const headers = await csrfHeader(request);
    const created = await request.post("/api/tokens", { data: { name: `cli-e2e-${Date.now()}`, role: "admin", expiresInDays: 1 }, headers });
    expect(created.status(), await created.text()).toBe(200);
    const { token } = (await created.json()) as { token: string };
    const env = { MINOS_URL: baseURL!, MINOS_TOKEN: token };

    const adopted = await request.post(`/api/clusters/${CLUSTER}/manifest/adopt`, { data: { replace: true }, headers, timeout: 120_000 });
    expect(adopted.status(), await adopted.text()).toBe(200);
    const { revision } = (await adopted.json()) as { revision: number };

    // export: the redacted manifest into a file.
    const exported = await minos(["manifest", "export", CLUSTER, "-o", "m.yaml"], env, dir);
    expect(exported.stderr).toBe(`minos manifest export: revision ${revision} of cluster ${CLUSTER} (secrets redacted)\n`);
    expect(exported.code).toBe(0);
    const text = readFileSync(path.join(dir, "m.yaml"), "utf8");
    const manifest = parse(text) as { cluster: { name: string }; patches?: unknown[]; nodes: { hostname: string; role: string; address: string }[] };
    expect(manifest.nodes).toHaveLength(8);

    // plan of what was adopted: nothing to change, exit 0 (the redacted values are merged back by
    // the server). No --cluster: the manifest's cluster.name is the simulator's context name.
    expect(manifest.cluster.name).toBe(CLUSTER);
    const same = await minos(["plan", "m.yaml"], env, dir);
    expect(same.stderr).toBe("");
    expect(same.code).toBe(0);
    expect(same.stdout).toContain("8 nodes: 8 unchanged, 0 to update (0 with a reboot), 0 refused, 0 unreachable");

    // A sysctl for the workers: exactly the workers change, without a reboot; exit 2.
    manifest.patches = [...(manifest.patches ?? []), { name: "cli e2e sysctl", selector: { role: "worker" }, patch: 'machine:\n  sysctls:\n    net.ipv4.tcp_fin_timeout: "30"\n' }];
    writeFileSync(path.join(dir, "edited.yaml"), stringify(manifest));
    const workers = manifest.nodes.filter((n) => n.role === "worker");
    const planned = await minos(["plan", "edited.yaml", "--cluster", CLUSTER], env, dir);
    expect(planned.stderr).toBe("");
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain(`8 nodes: ${8 - workers.length} unchanged, ${workers.length} to update (0 with a reboot), 0 refused, 0 unreachable`);
    for (const w of workers) expect(planned.stdout).toMatch(new RegExp(`^${w.hostname} +${w.address.replace(/\./g, "\\.")} +worker +update$`, "m"));
    expect(planned.stdout).toContain('+        net.ipv4.tcp_fin_timeout: "30"');

    // apply without --yes from a pipe: refused before anything is asked of the server.
    const unconfirmed = await minos(["apply", "edited.yaml", "--cluster", CLUSTER], env, dir);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toBe("minos apply: standard input is not a terminal: pass --yes to apply without confirmation\n");

    const applied = await minos(["apply", "edited.yaml", "--cluster", CLUSTER, "--yes", "--concurrency", "3"], env, dir);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(2);
    expect(applied.stdout).toContain(`Saved manifest revision ${revision + 1} of cluster ${CLUSTER}`);
    expect(applied.stdout).toMatch(/^rollout done/m);
    for (const w of workers) expect(applied.stdout).toMatch(new RegExp(`^  ${w.hostname} +done`, "m"));

    const after = await minos(["plan", "edited.yaml", "--cluster", CLUSTER, "--diff=false"], env, dir);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain("8 unchanged");

    const again = await minos(["manifest", "export", CLUSTER], env, dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("cli e2e sysctl");
    expect(again.stderr).toContain(`revision ${revision + 1}`);
    expect(`${again.stdout}${again.stderr}${applied.stdout}`).not.toContain(token);

    // Offline: the revealed manifest and the cluster's secrets bundle render exactly what the server renders.
    const revealed = await minos(["manifest", "export", CLUSTER, "--reveal", "-o", "revealed.yaml"], env, dir);
    expect(revealed.code, revealed.stderr).toBe(0);
    const secrets = await request.get(`/api/clusters/${CLUSTER}/secrets`);
    expect(secrets.status()).toBe(200);
    writeFileSync(path.join(dir, "secrets.yaml"), ((await secrets.json()) as { yaml: string }).yaml);
    const rendered = await minos(["render", "revealed.yaml", "--with-secrets", "secrets.yaml", "-o", "out"], env, dir);
    expect(rendered.stderr).toBe("");
    expect(rendered.code).toBe(0);
    expect(rendered.stdout.trimEnd().split("\n")).toHaveLength(8);
    for (const n of [manifest.nodes[0]!, workers[0]!]) {
      const server = await request.post(`/api/clusters/${CLUSTER}/manifest/render`, { data: { yaml: readFileSync(path.join(dir, "revealed.yaml"), "utf8"), node: n.hostname, reveal: true }, headers });
      expect(server.status(), await server.text()).toBe(200);
      expect(readFileSync(path.join(dir, "out", `${n.hostname}.yaml`), "utf8")).toBe(((await server.json()) as { config: string }).config);
    }

    // Leave the fleet as it was for the specs after this one: the patch removed, applied again.
    const restored = await minos(["apply", "m.yaml", "--cluster", CLUSTER, "--yes", "--concurrency", "3"], env, dir);
    expect(restored.code, restored.stderr).toBe(2);
  });
});
