import { describe, expect, it } from "vitest";

import { progressText, runTitle } from "./bulk-model";

const node = (state: "pending" | "running" | "done" | "failed" | "skipped") => ({ id: state, hostname: null, role: "worker" as const, state, message: "", startedAt: null, finishedAt: null });

describe("bulk model", () => {
  it("counts the nodes by what happened to them", () => {
    expect(progressText({ nodes: [node("done"), node("done"), node("running"), node("failed"), node("skipped")] })).toBe("2 of 5 done, 1 in progress, 1 failed, 1 skipped");
    expect(progressText({ nodes: [node("pending")] })).toBe("0 of 1 done");
  });

  it("names the run by its action, the service restarted and the cluster", () => {
    expect(runTitle({ action: "reboot", cluster: "prod", selection: "role = worker", params: {}, nodes: [1, 2] })).toBe("Reboot of 2 nodes in prod");
    expect(runTitle({ action: "service-restart", cluster: "prod", selection: "", params: { service: "kubelet" }, nodes: [1] })).toBe("Restart of kubelet of 1 node in prod");
  });
});
