import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";

import { documentKey, documentKind, isV1Alpha1Document, yamlDocumentHead, yamlDocumentKey } from "./documents";

describe("isV1Alpha1Document (Talos's decoder rule)", () => {
  it.each([
    [{ version: "v1alpha1", machine: {}, cluster: {} }, true],
    [{ machine: { network: {} } }, true], // a patch: no version, still v1alpha1
    [{ debug: false }, true],
    [{ persist: true }, true],
    [{ cluster: null }, true],
    [{ apiVersion: "v1alpha1", name: "x" }, false], // a typed document missing its kind
    [{ kind: "", machine: {} }, true], // Go reads an empty kind as none
    [{ kind: null, machine: {} }, true],
    [{ apiVersion: "v1alpha1", kind: "HostnameConfig", hostname: "a" }, false],
    [{ apiVersion: "v1alpha1", kind: "v1alpha1", machine: {} }, false], // a kind is a kind
    [{ version: "v1alpha1" }, false], // `version` alone is not what Talos looks at
    [{ name: "eth0" }, false],
    [{}, false],
  ])("%j → %s", (doc, expected) => {
    expect(isV1Alpha1Document(doc)).toBe(expected);
  });
});

describe("document identity", () => {
  it.each([
    [{ version: "v1alpha1", machine: {} }, "v1alpha1", "v1alpha1"],
    [{ apiVersion: "v1alpha1", kind: "LinkConfig", name: "eth0" }, "LinkConfig/eth0", "LinkConfig"],
    [{ apiVersion: "v1alpha1", kind: "HostnameConfig" }, "HostnameConfig/", "HostnameConfig"],
    [{ name: "x" }, "/x", null],
  ])("%j → %s", (doc, key, kind) => {
    expect(documentKey(doc)).toBe(key);
    expect(documentKind(doc)).toBe(kind);
  });
});

describe("YAML documents", () => {
  const docs = parseAllDocuments(
    [
      "version: v1alpha1\nmachine:\n  token: a\ncluster: {}",
      "apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\nmtu: 1500",
      "machine: *missing", // a broken alias: read without expanding
      "- a list",
      "__proto__: x\nkind: K\nname: n",
    ].join("\n---\n"),
  );
  const list = Array.isArray(docs) ? docs : [docs];

  it("reads the head without expanding the document", () => {
    expect(list.map((d) => yamlDocumentKey(d))).toEqual(["v1alpha1", "LinkConfig/eth0", "v1alpha1", "/", "K/n"]);
  });

  it("keeps scalar values and presence of other keys", () => {
    const head = yamlDocumentHead(list[1]!);
    expect({ ...head }).toEqual({ apiVersion: "v1alpha1", kind: "LinkConfig", name: "eth0", mtu: 1500 });
    expect(Object.hasOwn(yamlDocumentHead(list[0]!), "machine")).toBe(true);
  });
});
