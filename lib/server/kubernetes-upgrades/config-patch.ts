import "server-only";

import { isMap, isScalar, isSeq, parseAllDocuments, type Document } from "yaml";

import { COMPONENT_CONFIG_PATH, COMPONENT_DOCUMENT_KIND, type KubernetesComponent } from "@/lib/talos/kubernetes";

/**
 * The machine-config edits of a Kubernetes upgrade, pure: set one component's image where
 * stdpatches.With*Image puts it (its own document of the 1.14 contract when the config has one,
 * else the v1alpha1 field), keeping every other document, key and comment; and read the
 * components' `extraArgs` for the removed-flag check.
 */

function v1alpha1(docs: Document[]): Document | undefined {
  // The v1alpha1 document is the one without `kind` (multi-doc configs add kind-ed documents).
  return docs.find((d) => isMap(d.contents) && !d.has("kind") && (d.has("machine") || d.has("cluster")));
}

/** Where a component's image lives: its own document (1.14 contract) when the config has one, else the v1alpha1 field. */
function imageLocation(docs: Document[], component: KubernetesComponent): { doc: Document; path: string[] } | null {
  const own = docs.find((d) => isMap(d.contents) && d.get("kind") === COMPONENT_DOCUMENT_KIND[component]);
  if (own) return { doc: own, path: ["image"] };
  const doc = v1alpha1(docs);
  return doc ? { doc, path: [...COMPONENT_CONFIG_PATH[component]] } : null;
}

/** The image a component has in the config; null when unset (Talos then uses its default). */
export function configImage(yaml: string, component: KubernetesComponent): string | null {
  const at = imageLocation(parseAllDocuments(yaml) as Document[], component);
  const v = at?.doc.getIn(at.path);
  return typeof v === "string" ? v : null;
}

/**
 * The config with the component's image set. `changed` is false (and the yaml as given) when it
 * already had it, as upgrade-k8s skips the apply then (errUpdateSkipped).
 * @throws Error when the config has no v1alpha1 document (nothing to patch).
 */
export function withComponentImage(yaml: string, component: KubernetesComponent, image: string): { yaml: string; changed: boolean; previous: string | null } {
  const docs = parseAllDocuments(yaml) as Document[];
  const at = imageLocation(docs, component);
  if (!at) throw new Error("the machine config has no v1alpha1 document to patch");
  const previous = at.doc.getIn(at.path);
  if (previous === image) return { yaml, changed: false, previous: image };
  at.doc.setIn(at.path, image);
  return { yaml: docs.map((d) => d.toString()).join(""), changed: true, previous: typeof previous === "string" ? previous : null };
}

const ARG_PATHS = {
  "kube-apiserver": ["cluster", "apiServer", "extraArgs"],
  "kube-controller-manager": ["cluster", "controllerManager", "extraArgs"],
  "kube-scheduler": ["cluster", "scheduler", "extraArgs"],
  kubelet: ["machine", "kubelet", "extraArgs"],
} as const;

/** A YAML `extraArgs` map as `--flag=value`; a list value (meta.ArgValue of the 1.14 documents) gives one per item. */
function argsOf(node: unknown): string[] {
  if (!isMap(node)) return [];
  return node.items.flatMap((p) => {
    const k = isScalar(p.key) ? String(p.key.value) : String(p.key);
    if (isSeq(p.value)) return p.value.items.map((i) => `--${k}=${isScalar(i) ? String(i.value) : String(i)}`);
    const v = isScalar(p.value) ? String(p.value.value) : p.value?.toString() ?? "";
    return [`--${k}=${v}`];
  });
}

/**
 * Each component's `extraArgs` as `--flag=value` (what Talos adds to the command line): from the
 * v1alpha1 field and, on 1.14 multi-document configs, from the component's own document
 * (KubeAPIServerConfig… `extraArgs`, Talos's meta.Args), so a removed flag is found in either.
 */
export function componentExtraArgs(yaml: string): Partial<Record<keyof typeof ARG_PATHS, string[]>> {
  const docs = parseAllDocuments(yaml) as Document[];
  const doc = v1alpha1(docs);
  const out: Partial<Record<keyof typeof ARG_PATHS, string[]>> = {};
  for (const [c, path] of Object.entries(ARG_PATHS) as [keyof typeof ARG_PATHS, readonly string[]][]) {
    const own = docs.find((d) => isMap(d.contents) && d.get("kind") === COMPONENT_DOCUMENT_KIND[c]);
    const legacy = doc?.getIn([...path], true);
    const ownArgs = own?.get("extraArgs", true);
    if (isMap(legacy) || isMap(ownArgs)) out[c] = [...argsOf(legacy), ...argsOf(ownArgs)];
  }
  return out;
}
