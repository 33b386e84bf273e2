/** Moves to the 1.14 layout. The cluster CAs, discovery and bootstrap manifests. Facts from Talos v1.14.0-rc.1 (see ../moves.ts). */
import type { JsonObject } from "../stream";
import type { Move, Path } from "../types";
import { isObj, getPath, split, refuse, has, nonEmpty, compact, pemFromBase64, type Write, type Group } from "./common";

/** cluster.ca + cluster.acceptedCAs → KubeAPIServerCAConfig (worker: the CA cert is accepted, as talosctl writes). */
export const apiServerCA: Group = {
  id: "apiServerCA",
  triggers: ["cluster.ca", "cluster.acceptedCAs"],
  plan(ctx) {
    const ca = getPath(ctx.v1, "cluster.ca");
    const accepted = getPath(ctx.v1, "cluster.acceptedCAs");
    if (!has(ca) && !has(accepted)) return null;
    const fields: JsonObject = {};
    const acceptedOut: string[] = [];
    const moved: Move[] = [];
    const remove: Path[] = [];
    if (isObj(ca)) {
      const crt = pemFromBase64(ca.crt);
      if (crt === null) return refuse("`cluster.ca.crt` is not base64 PEM");
      const key = ca.key === undefined || ca.key === "" ? "" : pemFromBase64(ca.key);
      if (key === null) return refuse("`cluster.ca.key` is not base64 PEM");
      if (key !== "") {
        fields.issuingCA = { cert: crt, key };
        moved.push({ from: "cluster.ca", to: "KubeAPIServerCAConfig.issuingCA" });
      } else {
        acceptedOut.push(crt);
        moved.push({ from: "cluster.ca", to: "KubeAPIServerCAConfig.acceptedCAs" });
      }
      remove.push(split("cluster.ca"));
    }
    if (Array.isArray(accepted)) {
      for (const a of accepted) {
        const crt = pemFromBase64(isObj(a) ? a.crt : undefined);
        if (crt === null) return refuse("an entry of `cluster.acceptedCAs` is not base64 PEM");
        acceptedOut.push(crt);
      }
      moved.push({ from: "cluster.acceptedCAs", to: "KubeAPIServerCAConfig.acceptedCAs" });
      remove.push(split("cluster.acceptedCAs"));
    }
    if (acceptedOut.length > 0) fields.acceptedCAs = acceptedOut;
    return { moved, remove, writes: [{ kind: "KubeAPIServerCAConfig", fields }] };
  },
};

export const aggregatorCA: Group = {
  id: "aggregatorCA",
  triggers: ["cluster.aggregatorCA"],
  plan(ctx) {
    const ca = getPath(ctx.v1, "cluster.aggregatorCA");
    if (!has(ca)) return null;
    if (!isObj(ca)) return refuse("`cluster.aggregatorCA` is not a certificate and key");
    const crt = pemFromBase64(ca.crt);
    const key = pemFromBase64(ca.key);
    if (crt === null || key === null) return refuse("`cluster.aggregatorCA` is not base64 PEM (crt and key)");
    return {
      moved: [{ from: "cluster.aggregatorCA", to: "KubeAggregatorCAConfig.issuingCA" }],
      remove: [split("cluster.aggregatorCA")],
      writes: [{ kind: "KubeAggregatorCAConfig", fields: { issuingCA: { cert: crt, key } } }],
    };
  },
};

/** DiscoveryServiceConfig: only the service registry has a 1.14 document (the legacy reader ignores the Kubernetes registry too). */
export const discovery: Group = {
  id: "discovery",
  triggers: ["cluster.discovery"],
  plan(ctx) {
    const d = getPath(ctx.v1, "cluster.discovery");
    if (!isObj(d)) return null;
    const service = getPath(d, "registries.service");
    const enabled = d.enabled === true && !(isObj(service) && service.disabled === true);
    const moved: Move[] = [];
    const writes: Write[] = [];
    if (enabled) {
      const endpoint = isObj(service) && typeof service.endpoint === "string" ? service.endpoint : "https://discovery.talos.dev/";
      if (ctx.docs("DiscoveryServiceConfig").length > 0) return refuse("DiscoveryServiceConfig documents are already there; Talos rejects them next to `cluster.discovery`. Keep one");
      // talosctl names its discovery service document "default" (generate/init.go).
      writes.push({ kind: "DiscoveryServiceConfig", name: "default", fields: { endpoint } });
      moved.push({ from: "cluster.discovery", to: "DiscoveryServiceConfig default" });
    } else {
      moved.push({ from: "cluster.discovery", to: "(discovery off: no DiscoveryServiceConfig)" });
    }
    return { moved, remove: [split("cluster.discovery")], writes };
  },
};

/** extraManifests (+ headers) → one KubeExternalManifestConfig per URL, named by its URL as the legacy reader does. */
export const extraManifests: Group = {
  id: "extraManifests",
  triggers: ["cluster.extraManifests", "cluster.extraManifestHeaders"],
  plan(ctx) {
    const urls = getPath(ctx.v1, "cluster.extraManifests");
    const headers = getPath(ctx.v1, "cluster.extraManifestHeaders");
    if (!has(urls) && !has(headers)) return null;
    const list = Array.isArray(urls) ? urls.filter((u): u is string => typeof u === "string") : [];
    const writes: Write[] = list.map((url) => ({ kind: "KubeExternalManifestConfig", name: url, fields: compact({ headers: nonEmpty(headers) ? headers : undefined, url }) }));
    const moved: Move[] = [];
    if (has(urls)) moved.push({ from: "cluster.extraManifests", to: `KubeExternalManifestConfig × ${list.length}` });
    if (has(headers)) moved.push({ from: "cluster.extraManifestHeaders", to: list.length > 0 ? "KubeExternalManifestConfig.headers" : "(no manifests: headers unused)" });
    return { moved, remove: [split("cluster.extraManifests"), split("cluster.extraManifestHeaders")], writes };
  },
};

export const inlineManifests: Group = {
  id: "inlineManifests",
  triggers: ["cluster.inlineManifests"],
  plan(ctx) {
    const list = getPath(ctx.v1, "cluster.inlineManifests");
    if (!has(list)) return null;
    const items = Array.isArray(list) ? list.filter(isObj) : [];
    const writes: Write[] = [];
    for (const m of items) {
      if (typeof m.name !== "string" || m.name === "") return refuse("an inline manifest has no name");
      writes.push({ kind: "KubeInlineManifestConfig", name: m.name, fields: { manifest: typeof m.contents === "string" ? m.contents : "" } });
    }
    return { moved: [{ from: "cluster.inlineManifests", to: `KubeInlineManifestConfig × ${items.length}` }], remove: [split("cluster.inlineManifests")], writes };
  },
};
