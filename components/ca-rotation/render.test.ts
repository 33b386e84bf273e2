/**
 * The CA rotation components rendered to HTML with real plan data (server rendering, as the
 * pages' first paint): what a person and the e2e locators find in them.
 */
import { QueryClientProvider } from "@tanstack/react-query";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { authKeys } from "@/lib/client/auth";
import { caRotationQueryOptions } from "@/lib/client/ca-rotation";
import { makeQueryClient } from "@/lib/client/query-client";
import type { CaRotation, CaRotationDryRun } from "@/lib/schemas/ca-rotation";
import { planSteps, wayBack } from "@/lib/server/ca-rotation/plan";

import { CaRotationDryRunView } from "./ca-rotation-dry-run";
import { CaRotationHistory } from "./ca-rotation-history";
import { CaRotationLive } from "./ca-rotation-live";

const nodes = [
  { address: "10.0.0.2", hostname: "cp-1", role: "controlplane" as const },
  { address: "10.0.0.5", hostname: "w-1", role: "worker" as const },
];
const ca = { subject: "O=talos", fingerprint: "AB:CD", notAfter: "2036-12-06T00:00:00.000Z" };
const dryRun: CaRotationDryRun = {
  cluster: "prod",
  talos: true,
  kubernetes: false,
  nodes,
  current: { talos: ca, kubernetes: null },
  talosconfig: "override-file",
  steps: planSteps({ talos: true, kubernetes: false, nodes, replaceTalosconfig: true }),
  problems: [],
};

const at = "2026-12-06T17:00:00.000Z";
const steps = dryRun.steps.map((s) => ({ ...s, state: s.index < 3 ? ("done" as const) : s.index === 3 ? ("failed" as const) : ("skipped" as const), startedAt: s.index <= 3 ? at : null, finishedAt: at, error: s.index === 3 ? "error calling version API on node w-1 (10.0.0.5): unreachable" : null, message: s.index < 3 ? "applied (no reboot)" : null }));
const rotation: CaRotation = {
  id: "0b7c9a4e-0000-4000-8000-000000000002",
  cluster: "prod",
  talos: true,
  kubernetes: false,
  state: "failed",
  reason: "Verify every node accepts the new client certificate (old server CA): error calling version API",
  actor: "user:ada",
  createdAt: at,
  startedAt: at,
  finishedAt: at,
  newCas: { talos: { ...ca, fingerprint: "EF:01" }, kubernetes: null },
  stepsDone: 3,
  stepsTotal: steps.length,
  nodes,
  steps,
  wayBack: wayBack(steps),
};

function render(el: ReturnType<typeof createElement>, role: "admin" | "viewer" = "admin"): string {
  const client = makeQueryClient();
  client.setQueryData(authKeys.session(), { user: { id: "u", name: "ada", role, passkeys: 1 }, setupRequired: false, oidc: { enabled: false, label: "" } });
  client.setQueryData(caRotationQueryOptions(rotation.id).queryKey, rotation);
  return renderToStaticMarkup(createElement(QueryClientProvider, { client }, el));
}

describe("CA rotation components", () => {
  it("the dry run lists every step, says where the talosconfig goes, and starts only once the cluster's name is typed", () => {
    const html = render(createElement(CaRotationDryRunView, { dryRun, starting: false, onStart: () => {} }));
    expect(html).toContain('aria-label="CA rotation dry run"');
    expect(html).toContain("Dry run of prod: nothing was changed");
    expect(html).toContain("overrides the file");
    expect(html.match(/<tr[ >]/g)).toHaveLength(dryRun.steps.length + 1);
    expect(html).toMatch(/<button[^>]*disabled[^>]*>.*Start the rotation/s);
  });

  it("a dry run with problems shows them and offers no start", () => {
    const html = render(createElement(CaRotationDryRunView, { dryRun: { ...dryRun, problems: ["node 10.0.0.5: its config could not be read"] }, starting: false, onStart: () => {} }));
    expect(html).toContain('role="alert"');
    expect(html).toContain("its config could not be read");
    expect(html).not.toContain("Start the rotation");
  });

  it("the live view states the failure, each step in words and the way back", () => {
    const html = render(createElement(CaRotationLive, { id: rotation.id }));
    expect(html).toContain("Failed");
    expect(html).toContain("Skipped");
    expect(html).toContain("error calling version API on node w-1");
    expect(html).toContain("The way back:");
    expect(html).toContain("the new CA was only added to machine.acceptedCAs");
  });

  it("a succeeded Talos rotation offers admins a talosconfig of the new CA, viewers nothing", () => {
    const ok = { ...rotation, state: "succeeded" as const, reason: null, wayBack: null, steps: rotation.steps.map((s) => ({ ...s, state: "done" as const, error: null })) };
    const client = (role: "admin" | "viewer") => {
      const c = makeQueryClient();
      c.setQueryData(authKeys.session(), { user: { id: "u", name: "ada", role, passkeys: 1 }, setupRequired: false, oidc: { enabled: false, label: "" } });
      c.setQueryData(caRotationQueryOptions(rotation.id).queryKey, ok);
      return renderToStaticMarkup(createElement(QueryClientProvider, { client: c }, createElement(CaRotationLive, { id: rotation.id })));
    };
    expect(client("admin")).toContain("Download a talosconfig of the new CA");
    expect(client("viewer")).not.toContain("Download a talosconfig");
    expect(client("viewer")).not.toContain("Cancel");
  });

  it("offers the new talosconfig once a Talos swap began, whatever the end, and not before", () => {
    expect(render(createElement(CaRotationLive, { id: rotation.id }))).not.toContain("Download a talosconfig");
    // Failed in the middle of the swap: some nodes prove themselves with the new CA already.
    const swapAt = dryRun.steps.find((s) => s.kind === "swap")!.index;
    const midSwap = dryRun.steps.map((s) => ({ ...s, state: s.index < swapAt ? ("done" as const) : s.index === swapAt ? ("failed" as const) : ("skipped" as const), startedAt: s.index <= swapAt ? at : null, finishedAt: at, error: s.index === swapAt ? "boom" : null, message: null }));
    const c = makeQueryClient();
    c.setQueryData(authKeys.session(), { user: { id: "u", name: "ada", role: "admin", passkeys: 1 }, setupRequired: false, oidc: { enabled: false, label: "" } });
    c.setQueryData(caRotationQueryOptions(rotation.id).queryKey, { ...rotation, steps: midSwap, wayBack: wayBack(midSwap) });
    const html = renderToStaticMarkup(createElement(QueryClientProvider, { client: c }, createElement(CaRotationLive, { id: rotation.id })));
    expect(html).toContain("Download a talosconfig of the new CA");
    expect(html).toContain("trusts both CAs and works on every node");
    expect(html).toContain("works only on the nodes not yet swapped");
  });

  it("the history links each rotation to its page", () => {
    const html = render(createElement(CaRotationHistory, { rotations: [rotation] }));
    expect(html).toContain(`href="/ca-rotations/${rotation.id}"`);
    expect(html).toContain("Talos API");
  });
});
