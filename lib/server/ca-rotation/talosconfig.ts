import "server-only";

import crypto from "node:crypto";

import { parse, stringify } from "yaml";

import { deleteUpload, insertUpload, listUploads } from "@/lib/server/fleet/uploads";
import { recordAudit } from "@/lib/server/platform/audit";
import type { Db } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";
import type { SecretBox } from "@/lib/server/platform/secret-box";
import { renderTalosconfig } from "@/lib/talos/talosconfig";
import { toTalosKeyPem } from "@/lib/talos/pki";

/** The cluster's new credentials, as the last step of a Talos CA rotation writes them. */
export interface RotatedTalosconfig {
  cluster: string;
  rotationId: string;
  endpoints: string[];
  nodes: string[];
  caPem: string;
  certPem: string;
  keyPem: string;
}

const b64 = (pem: string) => Buffer.from(pem, "utf8").toString("base64");

function holdsCert(talosconfig: string, context: string, certPem: string): boolean {
  const doc = parse(talosconfig) as { contexts?: Record<string, { crt?: string } | null> };
  const crt = doc.contexts?.[context]?.crt;
  if (!crt) return false;
  try {
    return new crypto.X509Certificate(Buffer.from(crt, "base64")).raw.equals(new crypto.X509Certificate(certPem).raw);
  } catch {
    return false;
  }
}

/**
 * Writes Minos's new talosconfig for a rotated cluster, in one transaction, audited (the
 * certificate's fingerprint, never a key):
 * - the cluster came from an upload: that upload is replaced (delete and insert: uploads are never
 *   updated) with the same label and contexts, the cluster's context holding the new CA and
 *   client certificate, the other contexts as they were;
 * - the cluster came from the talosconfig file: Minos cannot rewrite the operator's file, so the
 *   new context is stored as an upload that overrides the file's context of that name (an
 *   earlier override of it is replaced). The file keeps the old credentials, which no longer work:
 *   the rotation's page says so.
 * @returns false when the stored talosconfig already holds the new certificate (a resumed step).
 */
export async function storeRotatedTalosconfig(db: Db, box: SecretBox, origin: "file" | "upload", t: RotatedTalosconfig): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const uploads = await listUploads(trx, box);
    const mine = uploads.find((u) => u.contexts.includes(t.cluster) && (origin === "upload" || u.overridesFile));
    if (mine && holdsCert(mine.talosconfig, t.cluster, t.certPem)) return false;
    const fresh = { endpoints: t.endpoints, nodes: t.nodes, ca: b64(t.caPem), crt: b64(t.certPem), key: b64(toTalosKeyPem(t.keyPem)) };
    let text: string;
    let name: string;
    let contexts: string[];
    if (origin === "upload") {
      if (!mine) throw new AppError("conflict", `The uploaded talosconfig of cluster "${t.cluster}" is gone; upload the rotation's new talosconfig by hand`);
      const doc = parse(mine.talosconfig) as { context?: string; contexts: Record<string, Record<string, unknown>> };
      doc.contexts[t.cluster] = { ...doc.contexts[t.cluster], ...fresh };
      text = stringify(doc, { lineWidth: 0 });
      name = mine.name;
      contexts = mine.contexts;
    } else {
      text = renderTalosconfig({ current: t.cluster, contexts: { [t.cluster]: { endpoints: t.endpoints, nodes: t.nodes, ca: t.caPem, crt: t.certPem, key: t.keyPem } } });
      name = `${t.cluster} (after CA rotation)`;
      contexts = [t.cluster];
    }
    if (mine) await deleteUpload(trx, mine.id);
    const u = await insertUpload(trx, box, { name, contexts, talosconfig: text, uploadedBy: "system", overridesFile: origin === "file" });
    const fingerprint = new crypto.X509Certificate(t.certPem).fingerprint256;
    await recordAudit(trx, { actor: "system", action: "cluster.talosconfig-rotated", target: t.cluster, result: "ok", details: { rotationId: t.rotationId, uploadId: u.id, replaced: mine?.id ?? null, overridesFile: origin === "file", clientCertFingerprint: fingerprint } });
    return true;
  });
}
