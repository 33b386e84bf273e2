import { describe, expect, it } from "vitest";

import { ApiError } from "@/lib/client/api";
import type { PreflightResponse } from "@/lib/schemas/configs";

import { diffStats } from "./diff-view-stats";
import { describeFailure } from "./errors";
import { applyBlocker, clock, durationWords, modeExplanation, rolloutCounts, sameSubject, secondsLeft, type PreflightSubject } from "./push-model";

const subject: PreflightSubject = { node: "10.0.0.2@c", yaml: "version: v1alpha1\n", mode: "auto", tryTimeoutSeconds: 120 };
const passed = { ok: true, unchanged: false } as PreflightResponse;

describe("modes in words", () => {
  it.each([
    ["auto", /reboots the node only if a change needs it/],
    ["no-reboot", /without a reboot/],
    ["staged", /next reboot/],
    ["try", /for 2 min, then the node reverts/],
    ["reboot", /reboots the node/],
  ] as const)("%s", (mode, words) => {
    expect(modeExplanation(mode, 120)).toMatch(words);
  });

  it.each([
    [30, "30 s"],
    [60, "1 min"],
    [90, "90 s"],
    [120, "2 min"],
    [600, "10 min"],
    [3600, "1 h"],
    [3900, "1 h 5 min"],
  ])("%i seconds read %s", (s, words) => expect(durationWords(s)).toBe(words));
});

describe("apply is enabled only by a passing preflight of exactly the text on screen", () => {
  const base = { validated: true, localErrors: 0, preflight: { subject, result: passed }, current: subject, applying: false };

  it("passes when everything matches", () => expect(applyBlocker(base)).toBeNull());
  it("any edit invalidates the preflight", () => expect(applyBlocker({ ...base, current: { ...subject, yaml: subject.yaml + "# x\n" } })).toMatch(/changed since the preflight/));
  it("a mode change invalidates it", () => expect(applyBlocker({ ...base, current: { ...subject, mode: "staged" } })).toMatch(/changed/));
  it("the TRY timeout only matters in TRY mode", () => {
    expect(sameSubject(subject, { ...subject, tryTimeoutSeconds: 60 })).toBe(true);
    const tried = { ...subject, mode: "try" as const };
    expect(sameSubject(tried, { ...tried, tryTimeoutSeconds: 60 })).toBe(false);
  });
  it("another node invalidates it", () => expect(applyBlocker({ ...base, current: { ...subject, node: "10.0.0.3@c" } })).toMatch(/changed/));
  it("local errors come first", () => expect(applyBlocker({ ...base, localErrors: 2 })).toBe("Fix the 2 errors in the editor first."));
  it("waits for local validation", () => expect(applyBlocker({ ...base, validated: false })).toMatch(/Checking/));
  it("needs a preflight", () => expect(applyBlocker({ ...base, preflight: null })).toMatch(/Run a preflight/));
  it("a refused preflight blocks", () => expect(applyBlocker({ ...base, preflight: { subject, result: { ...passed, ok: false } } })).toMatch(/refused/));
  it("nothing to apply when unchanged", () => expect(applyBlocker({ ...base, preflight: { subject, result: { ...passed, unchanged: true } } })).toMatch(/already runs/));
  it("not twice at once", () => expect(applyBlocker({ ...base, applying: true })).toMatch(/under way/));
});

describe("countdown", () => {
  it("counts whole seconds up, never below zero", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(secondsLeft("2026-01-01T00:02:00Z", now)).toBe(120);
    expect(secondsLeft("2026-01-01T00:00:00.400Z", now)).toBe(1);
    expect(secondsLeft("2025-12-31T23:59:00Z", now)).toBe(0);
  });
  it("reads as m:ss", () => {
    expect(clock(125)).toBe("2:05");
    expect(clock(0)).toBe("0:00");
  });
});

describe("rollout counts", () => {
  it("groups node states", () => {
    expect(rolloutCounts(["done", "done", "failed", "preflight-failed", "applying", "waiting-healthy", "pending", "preflight-ok", "skipped"])).toEqual({
      done: 2,
      failed: 2,
      active: 2,
      waiting: 2,
      skipped: 1,
    });
  });
});

describe("diff stats", () => {
  it("counts added and removed lines, not the headers", () => {
    expect(diffStats("--- running\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n+d\n")).toEqual({ added: 2, removed: 1 });
  });
});

describe("failures in words", () => {
  it("a 409 says another apply is in flight and nothing was queued", () => {
    const p = describeFailure(new ApiError(409, "conflict", "an apply to 10.0.0.2 is in progress"), "10.0.0.2 (c)", "apply to");
    expect(p.title).toBe("Another apply to 10.0.0.2 (c) is in flight");
    expect(p.detail).toMatch(/Nothing was queued/);
  });
  it("a 422 lists the validator's issues and unresolved secrets", () => {
    const details = {
      issues: [{ severity: "error", message: "bad", path: ["machine", "type"], document: 0, line: 3, column: 9, endLine: 3, endColumn: 15 }],
      unresolved: ["machine.token"],
    };
    const p = describeFailure(new ApiError(422, "invalid_config", "invalid", details), "n", "apply to");
    expect(p.lines).toEqual(["Line 3: machine.type: bad", expect.stringMatching(/^machine\.token: the redacted secret/)]);
  });
});
