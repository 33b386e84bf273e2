/**
 * talosconfig files as talosctl writes them: per context the endpoints, nodes, and the CA,
 * certificate and key as base64 of PEM, keys under Talos's PEM headers. Minos reads them in
 * lib/server/talos/talosconfig.ts; the simulator hands them out.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";

import { stringify } from "yaml";

import { writeFileAtomic } from "../utils/write-file-atomic";
import { toTalosKeyPem } from "./pki";

/** One talosconfig context; `ca`, `crt` and `key` are PEM (base64-encoded when written). */
export interface TalosconfigContextInput {
  endpoints: string[];
  nodes: string[];
  ca: string;
  crt: string;
  key: string;
}

/** Input for {@link renderTalosconfig} / {@link writeTalosconfig}. */
export interface TalosconfigInput {
  contexts: Record<string, TalosconfigContextInput>;
  /** The current context; must be one of `contexts`. */
  current: string;
}

const b64 = (pem: string) => Buffer.from(pem, "utf8").toString("base64");

/** Renders talosconfig YAML as talosctl writes it (values base64 of PEM, Talos key headers). */
export function renderTalosconfig(config: TalosconfigInput): string {
  if (!(config.current in config.contexts)) {
    throw new Error(`renderTalosconfig: current context ${JSON.stringify(config.current)} is not among the contexts`);
  }
  const contexts = Object.fromEntries(
    Object.entries(config.contexts).map(([name, c]) => [
      name,
      { endpoints: c.endpoints, nodes: c.nodes, ca: b64(c.ca), crt: b64(c.crt), key: b64(toTalosKeyPem(c.key)) },
    ]),
  );
  return stringify({ context: config.current, contexts }, { lineWidth: 0 });
}

/** Writes a real talosconfig (see {@link renderTalosconfig}) to `file`, mode 0600. */
export async function writeTalosconfig(file: string, config: TalosconfigInput): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, renderTalosconfig(config), 0o600);
}
