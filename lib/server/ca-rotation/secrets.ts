import "server-only";

import type { SecretBox } from "@/lib/server/platform/secret-box";
import type { TlsMaterial } from "@/lib/server/talos/channel";
import type { CertAndKey } from "@/lib/talos/pki";

/**
 * What a rotation must not lose and must not show: the new CAs with their keys, the new client
 * certificate's key, and Minos's talosconfig credentials as they were when it began (kept until
 * the end: they are the way back). Sealed with the secret box under the rotation's id.
 */
export interface RotationSecrets {
  /** Minos's credentials for the cluster when the rotation began (keys PKCS#8). */
  old: TlsMaterial;
  talos?: {
    ca: CertAndKey;
    /** An os:admin client certificate of the new CA (GenerateTalosAPIClientCertificate); dropped once the rotation succeeded. */
    client?: CertAndKey;
    /** The issuing CA's certificate the nodes had (base64 PEM, as in the config). */
    oldCrt: string;
  };
  kubernetes?: {
    ca: CertAndKey;
    oldCrt: string;
  };
}

const aad = (id: string) => `ca-rotation:${id}`;

export function sealSecrets(box: SecretBox, id: string, s: RotationSecrets): { secrets: string; keyId: string } {
  return { secrets: box.seal(JSON.stringify(s), aad(id)), keyId: box.keyId };
}

export function openSecrets(box: SecretBox, id: string, sealed: string, keyId: string): RotationSecrets {
  return JSON.parse(box.open(sealed, aad(id), keyId)) as RotationSecrets;
}

/**
 * The three Talos identities of rotate-ca: `old` (the existing PKI), `intermediate` (the new
 * client certificate; the server may prove itself with the old or the new CA) and `new` (both
 * new). Without a Talos rotation, every phase uses the existing credentials.
 */
export type Identity = "old" | "intermediate" | "new";

export function materialOf(s: RotationSecrets, identity: Identity): TlsMaterial {
  if (!s.talos || identity === "old") return s.old;
  if (!s.talos.client) throw new Error("the rotation's new client certificate is gone: the rotation is over");
  const client = { certPem: s.talos.client.certPem, keyPem: s.talos.client.keyPem };
  // Mid-swap, a swapped control plane's apid serves a certificate of the new CA and the others
  // one of the old: both CAs are ours, so the intermediate identity trusts both (a resumed run
  // on a fresh connection must reach either kind of node).
  return identity === "intermediate" ? { caPem: `${s.old.caPem.trimEnd()}\n${s.talos.ca.certPem.trimEnd()}\n`, ...client } : { caPem: s.talos.ca.certPem, ...client };
}
