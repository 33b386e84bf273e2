import "server-only";

import { configSecrets } from "@/lib/config/redact";
import { knownSecretPieces, prepareSecrets, REDACTED, scrubText, type KnownSecrets } from "@/lib/config/secret-values";
import { ManifestRenderer } from "@/lib/manifest/render";
import type { Manifest, ManifestNode } from "@/lib/manifest/schema";
import { patchSecrets } from "@/lib/manifest/secrets";
import type { ManifestIssue } from "@/lib/schemas/manifests";
import { AppError } from "@/lib/server/platform/errors";
import type { SecretsBundle } from "@/lib/talos/secrets/bundle";

const REDACTED_SOURCE = `'${REDACTED}'`;

/** Shorter values are not searched for at all: "" or "ab" would blank ordinary text. */
const MIN_SCRUBBED = 4;

const ROLES = ["controlplane", "worker"] as const;

/**
 * Takes secret values out of whatever a request hands back, by value. Redaction by path is not
 * enough for a render of the caller's own manifest: a JSON patch may `move` or `copy` a secret of
 * the cluster's bundle (or a stored patch secret merged back) to an ordinary field, where the
 * path rules no longer see it but the rendered config, its diff and any validation message
 * (`unknown machine type "<token>"`) would carry it. One per request: a set of strings.
 */
export class SecretScrubber {
  private readonly known: KnownSecrets;
  readonly size: number;

  constructor(secrets: Iterable<string>) {
    const kept = new Set<string>();
    for (const s of secrets) if (s.trim().length >= MIN_SCRUBBED) kept.add(s);
    this.size = kept.size;
    // Longest first: a secret that contains another is replaced whole.
    this.known = prepareSecrets([...kept].sort((a, b) => b.length - a.length));
  }

  /**
   * A config or a diff: every whole occurrence of a known secret replaced by the marker, quoted
   * where it starts a plain scalar (a bare `******` there would read as a YAML alias).
   */
  config(text: string): string {
    const pieces = knownSecretPieces(text, this.known);
    if (pieces.length === 0) return text;
    let out = "";
    let at = 0;
    for (const p of pieces) {
      const before = p.start === 0 ? "\n" : text[p.start - 1]!;
      out += text.slice(at, p.start) + (/\s/.test(before) ? REDACTED_SOURCE : REDACTED);
      at = p.end;
    }
    return out + text.slice(at);
  }

  /** A message: known secrets, pieces copied from them (a truncated quote) and anything the value rules call a secret. */
  message(text: string): string {
    return scrubText(text, this.known, { runs: true });
  }

  issues(issues: ManifestIssue[]): ManifestIssue[] {
    return issues.map((i) => {
      const message = this.message(i.message);
      return message === i.message ? i : { ...i, message };
    });
  }

  /** An error about to be answered: its message and its details' issues scrubbed. */
  error(e: unknown): unknown {
    if (!(e instanceof AppError)) return e;
    const message = this.message(e.message);
    const details = e.details as { issues?: ManifestIssue[] } | undefined;
    const issues = Array.isArray(details?.issues) ? this.issues(details.issues) : undefined;
    if (message === e.message && issues === details?.issues) return e;
    return new AppError(e.code, message, { details: issues ? { ...details, issues } : e.details, node: e.node, cause: e.cause });
  }
}

/** Every secret value of the bundle, as stored (the same base64 and token texts a config carries). */
function bundleSecrets(bundle: SecretsBundle): string[] {
  const c = bundle.certs;
  return [
    bundle.cluster.secret,
    bundle.secrets.bootstraptoken,
    bundle.secrets.aescbcencryptionsecret ?? "",
    bundle.secrets.secretboxencryptionsecret ?? "",
    bundle.trustdinfo.token,
    c.etcd.key,
    c.k8s.key,
    c.k8saggregator.key,
    c.k8sserviceaccount.key,
    c.os.key,
  ];
}

/** The secrets of a manifest's patch strings (shared and per node). */
export function manifestPatchSecrets(manifest: Manifest | undefined): string[] {
  if (!manifest) return [];
  const texts = [...(manifest.patches ?? []).map((p) => p.patch), ...manifest.nodes.flatMap((n) => (n.patch ? [n.patch] : []))];
  return texts.flatMap((t) => {
    try {
      return patchSecrets(t);
    } catch {
      return [];
    }
  });
}

/**
 * The scrubber for one request on a cluster: the bundle's secrets, as they are stored and as gen
 * config writes them for each role (configSecrets of the unpatched renders), and the patch
 * secrets of every manifest given (the stored revision's, the caller's after merge-back).
 */
export function clusterScrubber(bundle: SecretsBundle, manifests: readonly (Manifest | undefined)[]): SecretScrubber {
  const out = bundleSecrets(bundle);
  const base = manifests.find((m) => m !== undefined);
  if (base) {
    const renderer = new ManifestRenderer(base, bundle);
    for (const role of ROLES) {
      const node: ManifestNode = { address: "0.0.0.0", hostname: `scrub-${role}`, role };
      try {
        out.push(...configSecrets(renderer.unpatched(node)));
      } catch {
        // A generation input gen config refuses: the bundle's own values above still cover it.
      }
    }
  }
  for (const m of manifests) out.push(...manifestPatchSecrets(m));
  return new SecretScrubber(out);
}
