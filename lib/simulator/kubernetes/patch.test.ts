import { describe, expect, it } from "vitest";

import { applyPatch, jsonPatch, mergePatch, patchTypeOf, strategicMerge } from "./patch";
import { matchesLabelSelector, parseFieldSelector, parseLabelSelector } from "./selectors";
import { KubeError } from "./status";

describe("patches", () => {
  it("merge patch (RFC 7386): null deletes, objects merge, lists replace", () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { a: null, b: { c: 5 }, l: [3] })).toEqual({ b: { c: 5, d: 3 }, l: [3] });
  });

  it("strategic merge: containers merge by name, taints by key, $patch: delete removes one", () => {
    const cur = { spec: { containers: [{ name: "a", image: "x:1", ports: [1] }, { name: "b", image: "y:1" }], taints: [{ key: "k", effect: "NoSchedule" }] } };
    const out = strategicMerge(cur, { spec: { containers: [{ name: "a", image: "x:2" }, { name: "b", $patch: "delete" }], taints: [{ key: "k2", effect: "NoExecute" }] } });
    expect(out).toEqual({ spec: { containers: [{ name: "a", image: "x:2", ports: [1] }], taints: [{ key: "k", effect: "NoSchedule" }, { key: "k2", effect: "NoExecute" }] } });
  });

  it("JSON patch (RFC 6902): add, replace, remove, test, and the errors of a missing path", () => {
    const doc = { metadata: { annotations: { a: "1" } }, spec: {} };
    expect(jsonPatch(doc, [{ op: "add", path: "/spec/unschedulable", value: true }, { op: "remove", path: "/metadata/annotations/a" }, { op: "test", path: "/spec/unschedulable", value: true }])).toEqual({ metadata: { annotations: {} }, spec: { unschedulable: true } });
    expect(jsonPatch(doc, [{ op: "add", path: "/metadata/annotations/minos.dev~1cordoned", value: "x" }])).toEqual({ metadata: { annotations: { a: "1", "minos.dev/cordoned": "x" } }, spec: {} });
    expect(() => jsonPatch(doc, [{ op: "replace", path: "/spec/nope", value: 1 }])).toThrow(/missing/);
    expect(() => jsonPatch(doc, [{ op: "remove", path: "/metadata/labels/x" }])).toThrow(KubeError);
    expect(() => jsonPatch(doc, [{ op: "test", path: "/metadata/annotations/a", value: "2" }])).toThrow(/test failed/);
  });

  it("content types: the client's four, 415 for others and for apply where it is not served", () => {
    expect(patchTypeOf("application/strategic-merge-patch+json; charset=utf-8", false)).toBe("strategic");
    expect(patchTypeOf("application/apply-patch+yaml", true)).toBe("apply");
    const err = (() => {
      try {
        patchTypeOf("application/apply-patch+yaml", false);
      } catch (e) {
        return e as KubeError;
      }
    })();
    expect(err).toMatchObject({ code: 415, reason: "UnsupportedMediaType" });
    expect(() => patchTypeOf("application/json", true)).toThrow(KubeError);
  });

  it("server-side apply parses YAML; bad bodies are 400", () => {
    expect(applyPatch("apply", { spec: { replicas: 1 } }, "spec:\n  replicas: 3\n")).toEqual({ spec: { replicas: 3 } });
    expect(() => applyPatch("merge", {}, "{nope")).toThrow(/error decoding patch/);
    expect(() => applyPatch("merge", {}, "[1]")).toThrow(/must be a JSON object/);
  });
});

describe("selectors", () => {
  it("label selectors: =, ==, !=, in, notin, exists, !exists", () => {
    const l = { app: "web", tier: "fe" };
    expect(parseLabelSelector("app=web,tier==fe")(l)).toBe(true);
    expect(parseLabelSelector("app!=web")(l)).toBe(false);
    expect(parseLabelSelector("app in (api, web),tier notin (be)")(l)).toBe(true);
    expect(parseLabelSelector("app,!gone")(l)).toBe(true);
    expect(parseLabelSelector("gone")(l)).toBe(false);
    expect(parseLabelSelector("")(undefined)).toBe(true);
    expect(() => parseLabelSelector("a b")).toThrow(KubeError);
  });

  it("field selectors: only supported fields, = and !=", () => {
    const f = parseFieldSelector<{ n: string }>("spec.nodeName=w1", { "spec.nodeName": (o) => o.n });
    expect(f({ n: "w1" })).toBe(true);
    expect(f({ n: "w2" })).toBe(false);
    expect(parseFieldSelector<{ n: string }>("spec.nodeName!=w1", { "spec.nodeName": (o) => o.n })({ n: "w2" })).toBe(true);
    expect(() => parseFieldSelector("spec.other=x", {})).toThrow("field label not supported: spec.other");
  });

  it("LabelSelector objects: matchLabels and matchExpressions", () => {
    expect(matchesLabelSelector({ matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["fe"] }] }, { app: "web", tier: "fe" })).toBe(true);
    expect(matchesLabelSelector({ matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }, { tier: "fe" })).toBe(false);
    expect(matchesLabelSelector({}, {})).toBe(true);
  });
});
