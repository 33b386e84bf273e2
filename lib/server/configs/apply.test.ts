import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { redactConfig } from "@/lib/config/redact";
import { listAudit } from "@/lib/server/platform/audit";
import { applyAfterPreflight, applyNodeConfig, rollbackNodeConfig } from "@/lib/server/configs/apply";
import { adoptDrift, checkAllDrift, checkDrift, listStoredDrift, reapplyDrift } from "@/lib/server/configs/drift";
import { diffRevisions, listRevisions } from "@/lib/server/configs/history";
import { preflightNodeConfig, runPreflight } from "@/lib/server/configs/preflight";
import { ValidationPool } from "@/lib/server/validation/pool";
import { startConfigTestFleet, type ConfigTestFleet } from "@/test/configs/fleet";
import { rejection, waitFor, withHostname } from "@/test/talos/fleet";
import { processState } from "@/lib/server/platform/process-state";

const USER = "test user";
let t: ConfigTestFleet;
// Fleet order: cp-1, cp-2 (v1.14.1), worker-1, worker-2 … (see beforeAll).
let cp: string;
let cp14: string;
let workers: string[];

const tokenOf = (yaml: string) => /^\s+token: (\S+)$/m.exec(yaml)?.[1];
/** cluster.secret: a secret that Talos 1.13 can change without a reboot. */
const clusterSecretOf = (yaml: string) => /^ {4}secret: (\S+)$/m.exec(yaml)?.[1];

beforeAll(async () => {
  t = await startConfigTestFleet({ firstAddress: "127.0.151.1", controlPlanes: 2, workers: 6, nodeVersions: { "127.0.151.2": "v1.14.1" } });
  [cp, cp14] = [t.ids[0]!, t.ids[1]!];
  workers = t.ids.slice(2);
});
afterAll(() => t?.stop());

describe("preflight", () => {
  it("dry-runs an edited, redacted config and returns a redacted diff and the effect in words", async () => {
    const node = workers[0]!;
    const running = await t.runningConfig(node);
    const edited = withHostname(redactConfig(running), "renamed-worker");
    const p = await preflightNodeConfig(t.deps, node, { yaml: edited, mode: "auto" }, USER);
    expect(p).toMatchObject({ ok: true, requestedMode: "auto", mode: "no-reboot", effect: "applies now without a reboot", reboots: false, unchanged: false, changedSecrets: [] });
    expect(p.diff).toMatch(/^--- running\n\+\+\+ new\n/);
    expect(p.diff).toContain("+hostname: renamed-worker");
    expect(p.modeDetails).toContain("(skipped in dry-run)");
    expect(p.modeDetails).not.toContain("Config diff");
    // No secret from the running config leaves the server, whatever the field.
    expect(JSON.stringify(p)).not.toContain(tokenOf(running)!);
    expect(p.runningYaml).toBe(redactConfig(running));
    // Nothing was applied.
    expect(await t.runningConfig(node)).toBe(running);
    expect((await listAudit(t.deps.db, { limit: 5 }))[0]).toMatchObject({ action: "config.preflight", target: node, result: "ok", actor: USER });
  });

  it("shows a changed secret as changed without its value", async () => {
    const node = workers[0]!;
    const running = await t.runningConfig(node);
    const newToken = "abcdef.0123456789abcdef";
    // machine.token needs a reboot on 1.13, so ask for staged.
    const p = await preflightNodeConfig(t.deps, node, { yaml: running.replace(tokenOf(running)!, newToken), mode: "staged" }, USER);
    expect(p.ok).toBe(true);
    expect(p.changedSecrets).toEqual(["machine.token"]);
    expect(p.diff).toContain("+    token: '******' # secret changed");
    expect(JSON.stringify(p)).not.toContain(newToken);
    expect(JSON.stringify(p)).not.toContain(tokenOf(running)!);
  });

  it.each([
    ["try", 120, "applied for 2 min, then reverted unless kept"],
    ["staged", undefined, "staged until the next reboot"],
  ] as const)("explains mode %s", async (mode, tryTimeoutSeconds, effect) => {
    const node = workers[0]!;
    const p = await preflightNodeConfig(t.deps, node, { yaml: redactConfig(await t.runningConfig(node)), mode, tryTimeoutSeconds }, USER);
    expect(p).toMatchObject({ ok: true, mode, effect, unchanged: true, diff: "" });
  });

  it("refuses an unresolved secret marker with a 422 naming the path", async () => {
    const node = workers[0]!;
    const yaml = redactConfig(await t.runningConfig(node)).replace(/^cluster:\n/m, "cluster:\n    aescbcEncryptionSecret: '******'\n");
    const e = await rejection(preflightNodeConfig(t.deps, node, { yaml, mode: "auto" }, USER));
    expect(e).toMatchObject({ code: "invalid_config", details: { unresolved: ["cluster.aescbcEncryptionSecret"] } });
  });

  it("refuses a locally invalid config with the validator's issues", async () => {
    const node = workers[0]!;
    const yaml = redactConfig(await t.runningConfig(node)).replace(/^machine:\n/m, "machine:\n    bogusField: 1\n");
    const e = (await rejection(preflightNodeConfig(t.deps, node, { yaml, mode: "auto" }, USER))) as Error & { code: string; details: { issues: { message: string; line: number }[] } };
    expect(e.code).toBe("invalid_config");
    expect(e.details.issues.some((i) => /bogusField/.test(i.message))).toBe(true);
    expect((await listAudit(t.deps.db, { limit: 1 }))[0]).toMatchObject({ action: "config.preflight", result: "refused" });
  });

  it("refuses a config that overruns the validator's budget with too_complex, the event loop free meanwhile", async () => {
    const node = workers[0]!;
    const g = processState<{ __minosValidationPool?: ValidationPool }>();
    const saved = g.__minosValidationPool;
    g.__minosValidationPool = new ValidationPool({ size: 1, budgetMs: 1 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      const sysctls = Array.from({ length: 40_000 }, (_, i) => `        net.k${i}: "1"\n`).join("");
      const yaml = redactConfig(await t.runningConfig(node)).replace(/^machine:\n/m, `machine:\n    sysctls:\n${sysctls}`);
      const e = await rejection(preflightNodeConfig(t.deps, node, { yaml, mode: "auto" }, USER));
      expect(e).toMatchObject({ code: "too_complex" });
      expect(ticks).toBeGreaterThan(0);
      expect((await listAudit(t.deps.db, { limit: 1 }))[0]).toMatchObject({ action: "config.preflight", result: "failed" });
    } finally {
      clearInterval(timer);
      await g.__minosValidationPool.close();
      g.__minosValidationPool = saved;
    }
  });

  it("names at most ten unresolved secrets in the message", async () => {
    const node = workers[0]!;
    const markers = Array.from({ length: 30 }, (_, i) => `    - name: r${i}\n      password: '******'\n`).join("");
    const yaml = redactConfig(await t.runningConfig(node)).replace(/^cluster:\n/m, `cluster:\n    bogusList:\n${markers}`);
    const e = (await rejection(preflightNodeConfig(t.deps, node, { yaml, mode: "auto" }, USER))) as Error & { code: string; details: { unresolved: string[] } };
    expect(e.code).toBe("invalid_config");
    expect(e.details.unresolved).toHaveLength(30);
    expect(e.message).toContain("and 20 more");
  });

  it("reports a node's refusal as the verdict, and apply then fails with 422 and records nothing", async () => {
    const node = workers[1]!;
    t.fleet.setFault({ node: t.address(node), fault: "reject-apply", message: "1 error occurred:\n\t* simulated refusal\n\n" });
    try {
      const yaml = withHostname(redactConfig(await t.runningConfig(node)), "w-refused");
      const p = await preflightNodeConfig(t.deps, node, { yaml, mode: "auto" }, USER);
      expect(p).toMatchObject({ ok: false, mode: null, reboots: false });
      expect(p.verdict).toContain("simulated refusal");
      expect(p.diff).toContain("w-refused");
      const e = await rejection(applyNodeConfig(t.deps, node, { yaml, mode: "auto" }, { actor: USER }));
      expect(e).toMatchObject({ code: "invalid_config" });
      expect(e.message).toContain("simulated refusal");
      expect(await t.deps.revisions.list(node)).toEqual([]);
      expect((await listAudit(t.deps.db, { limit: 1 }))[0]).toMatchObject({ action: "config.apply", result: "refused" });
    } finally {
      t.fleet.clearFaults(t.address(node));
    }
  });

  it("never quotes a WireGuard private key of the wrong length: not in the 422, not in the audit log", async () => {
    const node = workers[0]!;
    const key = "wKWd4d7N1Pl2pyd4CsqVCNTw4bz6fGdKQwW0ZaY9"; // 30 bytes
    // machine.network.interfaces (the simulator's 1.13 config has no machine.network: add one).
    const yaml = redactConfig(await t.runningConfig(node)).replace(
      "\n    kubelet:\n",
      `\n    network:\n        interfaces:\n            - interface: wg0\n              wireguard:\n                  privateKey: ${key}\n    kubelet:\n`,
    );
    const e = (await rejection(preflightNodeConfig(t.deps, node, { yaml, mode: "auto" }, USER))) as Error & { code: string; details: unknown };
    expect(e.code).toBe("invalid_config");
    expect(e.message).toContain("wrong key length: 30");
    expect(JSON.stringify({ message: e.message, details: e.details })).not.toContain(key.slice(0, 12));
    const entry = (await listAudit(t.deps.db, { limit: 1 }))[0]!;
    expect(entry).toMatchObject({ action: "config.preflight", result: "refused" });
    expect(JSON.stringify(entry)).not.toContain(key.slice(0, 12));
  });

  it("scrubs the config's secrets from a node's refusal (verdict, audit, apply error)", async () => {
    const node = workers[1]!;
    const running = await t.runningConfig(node);
    const token = tokenOf(running)!;
    t.fleet.setFault({ node: t.address(node), fault: "reject-apply", message: `1 error occurred:\n\t* machine token "${token}" is not allowed\n\n` });
    try {
      const yaml = withHostname(redactConfig(running), "w-refused-secret");
      const p = await preflightNodeConfig(t.deps, node, { yaml, mode: "auto" }, USER);
      expect(p.ok).toBe(false);
      expect(p.verdict).toContain("machine token");
      expect(JSON.stringify(p)).not.toContain(token);
      expect(JSON.stringify((await listAudit(t.deps.db, { limit: 1 })))).not.toContain(token);
      const e = await rejection(applyNodeConfig(t.deps, node, { yaml, mode: "auto" }, { actor: USER }));
      expect(e.message).not.toContain(token);
      expect(JSON.stringify((await listAudit(t.deps.db, { limit: 3 })))).not.toContain(token);
    } finally {
      t.fleet.clearFaults(t.address(node));
    }
  });

  it("scrubs the config's secrets from an apply the node fails after a passing preflight (error, revision, audit)", async () => {
    const node = workers[1]!;
    const running = await t.runningConfig(node);
    const token = tokenOf(running)!;
    const pre = await runPreflight(t.deps, node, { yaml: withHostname(redactConfig(running), "w-apply-secret"), mode: "auto" });
    expect(pre.response.ok).toBe(true);
    t.fleet.setFault({ node: t.address(node), fault: "reject-apply", message: `1 error occurred:\n\t* machine token "${token}" is not allowed\n\n` });
    try {
      const e = await rejection(applyAfterPreflight(t.deps, node, pre, { yaml: pre.merged, mode: "auto" }, { actor: USER }));
      expect(e.message).toContain("machine token");
      expect(e.message).not.toContain(token);
      const revisions = JSON.stringify(await listRevisions(t.deps, node, 5));
      expect(revisions).toContain("machine token");
      expect(revisions).not.toContain(token);
      expect(JSON.stringify((await listAudit(t.deps.db, { limit: 3 })))).not.toContain(token);
    } finally {
      t.fleet.clearFaults(t.address(node));
    }
  });

  it("says REBOOT is gone on Talos 1.14 and available on 1.13", async () => {
    const p14 = await preflightNodeConfig(t.deps, cp14, { yaml: redactConfig(await t.runningConfig(cp14)), mode: "reboot" }, USER);
    expect(p14).toMatchObject({ ok: false, rebootModeAvailable: false, talosVersion: "v1.14.1" });
    expect(p14.verdict).toMatch(/REBOOT is not supported/);
    const p13 = await preflightNodeConfig(t.deps, cp, { yaml: redactConfig(await t.runningConfig(cp)), mode: "reboot" }, USER);
    expect(p13).toMatchObject({ ok: true, rebootModeAvailable: true, mode: "reboot", reboots: true, effect: "reboots the node" });
  });
});

describe("apply", () => {
  it("NO_REBOOT: the node runs the new config and a revision records it, sealed", async () => {
    const node = workers[2]!;
    const running = await t.runningConfig(node);
    const r = await applyNodeConfig(t.deps, node, { yaml: withHostname(redactConfig(running), "w-applied"), mode: "no-reboot" }, { actor: USER });
    expect(r).toMatchObject({ node, result: "applied", mode: "no-reboot", effect: "applies now without a reboot" });
    expect(r.revision).toMatchObject({ node, author: USER, mode: "no-reboot", result: "applied", source: "apply" });
    const now = await t.runningConfig(node);
    expect(now).toContain("hostname: w-applied");
    // Secrets were merged back from the node, not sent as markers.
    expect(tokenOf(now)).toBe(tokenOf(running));
    const row = await t.deps.db.selectFrom("config_revisions").select(["redacted_yaml", "config_sealed"]).where("id", "=", r.revision.id).executeTakeFirstOrThrow();
    expect(row.config_sealed).toMatch(/^v1:/);
    expect(row.config_sealed + row.redacted_yaml).not.toContain(tokenOf(running)!);
    expect(await t.deps.revisions.config(node, r.revision.id)).toBe(now);
    expect((await listAudit(t.deps.db, { limit: 1 }))[0]).toMatchObject({ action: "config.apply", target: node, result: "ok", details: expect.objectContaining({ revision: r.revision.id }) });
  });

  it("STAGED: persisted for the next reboot, running config untouched", async () => {
    const node = workers[3]!;
    const running = await t.runningConfig(node);
    const r = await applyNodeConfig(t.deps, node, { yaml: withHostname(running, "w-staged"), mode: "staged" }, { actor: USER });
    expect(r).toMatchObject({ result: "staged", mode: "staged", effect: "staged until the next reboot" });
    expect(await t.runningConfig(node)).toBe(running);
    expect((await t.clients.admin.machineConfig(t.address(node), { id: "persistent" })).yaml).toContain("w-staged");
    // Drift compares a staged revision with the persisted config.
    expect((await checkDrift(t.deps, node)).drifted).toBe(false);
  });

  it("REBOOT (1.13): the node reboots into the new config", async () => {
    const node = cp;
    const before = await t.clients.admin.systemStat(t.address(node));
    const r = await applyNodeConfig(t.deps, node, { yaml: withHostname(await t.runningConfig(node), "cp-rebooted"), mode: "reboot" }, { actor: USER });
    expect(r).toMatchObject({ result: "applied", mode: "reboot", effect: "reboots the node" });
    await waitFor(async () => (await t.clients.admin.systemStat(t.address(node))).bootTime !== before.bootTime, 10_000, 100);
    expect(await t.runningConfig(node)).toContain("cp-rebooted");
  });

  it("TRY: reverts on its own when not kept", async () => {
    const node = workers[4]!;
    const running = await t.runningConfig(node);
    const r = await applyNodeConfig(t.deps, node, { yaml: withHostname(running, "w-try"), mode: "try", tryTimeoutSeconds: 1 }, { actor: USER });
    expect(r).toMatchObject({ result: "trying", mode: "try", effect: "applied for 1 s, then reverted unless kept" });
    expect(Date.parse(r.tryUntil!)).toBeGreaterThan(Date.now());
    expect(await t.runningConfig(node)).toContain("w-try");
    await waitFor(async () => (await t.runningConfig(node)) === running, 10_000, 100);
    await waitFor(async () => Date.now() > Date.parse(r.tryUntil!), 5_000);
    const history = await listRevisions(t.deps, node, 10);
    expect(history.revisions[0]).toMatchObject({ id: r.revision.id, result: "reverted" });
    // The node is back on its own config: no revision is in effect, so nothing has drifted.
    expect((await checkDrift(t.deps, node)).drifted).toBeNull();
  });

  it("TRY then keep: re-applying without TRY cancels the revert", async () => {
    const node = workers[5]!;
    const yaml = withHostname(await t.runningConfig(node), "w-kept");
    const tried = await applyNodeConfig(t.deps, node, { yaml, mode: "try", tryTimeoutSeconds: 1 }, { actor: USER });
    const kept = await applyNodeConfig(t.deps, node, { yaml, mode: "no-reboot" }, { actor: USER });
    expect(kept.result).toBe("applied");
    await new Promise((r) => setTimeout(r, 1_500)); // past the TRY window: a revert would have happened by now
    expect(await t.runningConfig(node)).toContain("w-kept");
    const history = await listRevisions(t.deps, node, 10);
    expect(history.revisions.map((r) => [r.id, r.result])).toEqual([
      [kept.revision.id, "applied"],
      [tried.revision.id, "kept"],
    ]);
  });

  it("a second apply to a node with one in flight is a 409", async () => {
    const node = workers[2]!;
    const yaml = withHostname(await t.runningConfig(node), "w-concurrent");
    const outcomes = await Promise.allSettled([
      applyNodeConfig(t.deps, node, { yaml, mode: "no-reboot" }, { actor: USER }),
      applyNodeConfig(t.deps, node, { yaml, mode: "no-reboot" }, { actor: USER }),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
    const failed = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
    expect(failed.reason).toMatchObject({ code: "conflict" });
    // A preflight meanwhile is refused too, rather than racing the node's own lock.
    const slow = applyNodeConfig(t.deps, node, { yaml: withHostname(yaml, "w-concurrent-2"), mode: "no-reboot" }, { actor: USER });
    await expect(preflightNodeConfig(t.deps, node, { yaml, mode: "auto" }, USER)).rejects.toMatchObject({ code: "conflict" });
    await slow;
  });

  it("a down node is 503 node_unreachable, with no revision left pending", async () => {
    const node = workers[1]!;
    const yaml = await t.runningConfig(node);
    t.fleet.setFault({ node: t.address(node), fault: "down" });
    try {
      await expect(applyNodeConfig(t.deps, node, { yaml, mode: "auto" }, { actor: USER })).rejects.toMatchObject({ code: "node_unreachable" });
      expect((await t.deps.revisions.list(node)).filter((r) => r.result === "pending")).toEqual([]);
    } finally {
      t.fleet.clearFaults(t.address(node));
    }
  });
});

describe("history, rollback and drift", () => {
  it("diffs two revisions and rolls back to the first as a new revision", async () => {
    const node = workers[0]!;
    const original = await t.runningConfig(node);
    const a = await applyNodeConfig(t.deps, node, { yaml: withHostname(original, "w-a"), mode: "no-reboot" }, { actor: USER });
    const b = await applyNodeConfig(t.deps, node, { yaml: withHostname(original, "w-b").replace(clusterSecretOf(original)!, "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"), mode: "no-reboot" }, { actor: USER });
    const d = await diffRevisions(t.deps, node, a.revision.id, b.revision.id);
    expect(d.diff).toContain("-hostname: w-a");
    expect(d.diff).toContain("+hostname: w-b");
    expect(d.changedSecrets).toEqual(["cluster.secret"]);
    expect(d.diff).not.toContain("zzzzzz");
    const back = await rollbackNodeConfig(t.deps, node, a.revision.id, { mode: "auto" }, USER);
    expect(back.revision).toMatchObject({ source: "rollback", rollbackOf: a.revision.id, result: "applied", configHash: a.revision.configHash });
    expect(await t.runningConfig(node)).toBe(await t.deps.revisions.config(node, a.revision.id));
    expect((await diffRevisions(t.deps, node, a.revision.id, "running")).unchanged).toBe(true);
    expect((await listAudit(t.deps.db, { limit: 1 }))[0]).toMatchObject({ action: "config.rollback", result: "ok", details: expect.objectContaining({ rollbackOf: a.revision.id }) });
  });

  it("flags a change made outside Minos, then adopts it or re-applies Minos's config", async () => {
    const node = workers[0]!;
    expect((await checkDrift(t.deps, node)).drifted).toBe(false);
    const last = (await t.deps.revisions.lastEffective(node))!;
    // Someone uses talosctl directly.
    const outside = withHostname(await t.runningConfig(node), "changed-outside");
    await t.clients.admin.applyConfiguration(t.address(node), { data: outside, mode: "no-reboot" });
    const drift = await checkDrift(t.deps, node);
    expect(drift).toMatchObject({ drifted: true, revisionId: last.id });
    expect(drift.diff).toContain("+hostname: changed-outside");
    expect(drift.diff).not.toContain(tokenOf(outside)!);

    const re = await reapplyDrift(t.deps, node, { mode: "auto" }, USER);
    expect(re.revision.source).toBe("reapply");
    expect(await t.runningConfig(node)).not.toContain("changed-outside");
    expect((await checkDrift(t.deps, node)).drifted).toBe(false);

    await t.clients.admin.applyConfiguration(t.address(node), { data: outside, mode: "no-reboot" });
    const adopted = await adoptDrift(t.deps, node, USER);
    expect(adopted.revision).toMatchObject({ source: "adopt", mode: null, result: "applied" });
    expect((await checkDrift(t.deps, node)).drifted).toBe(false);
    // The periodic checker finds the next outside change on its own and stores the verdict.
    await t.clients.admin.applyConfiguration(t.address(node), { data: withHostname(outside, "changed-again"), mode: "no-reboot" });
    const pass = await checkAllDrift(t.deps, 2);
    expect(pass.find((d) => d.node === node)).toMatchObject({ drifted: true });
    expect(pass.filter((d) => d.node !== node).every((d) => d.drifted !== true)).toBe(true);
    expect((await listStoredDrift(t.deps)).find((d) => d.node === node)?.diff).toContain("changed-again");
    const actions = (await listAudit(t.deps.db, { limit: 20 })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["config.drift.detected", "config.reapply", "config.adopt"]));
  });
});
