import "server-only";

import { X509Certificate } from "node:crypto";

import { KubeConfig } from "@kubernetes/client-node";
import { parseDocument } from "yaml";
import { z } from "zod";

import { AppError } from "@/lib/server/platform/errors";

/**
 * Reading a kubeconfig Minos is given (an upload) or fetches (Talos's Kubeconfig RPC) into a
 * client-node KubeConfig that holds only the current context, its cluster and its user.
 *
 * The file is checked before client-node sees it: `KubeConfig.loadFromString` reads `token-file`
 * from the disk while parsing, and `exec` or `auth-provider` users run programs on the Minos host
 * when a request is made. A kubeconfig for Minos carries its credentials inline or is refused.
 */

/** The user fields that name a file or a program on the machine that reads the kubeconfig. */
const LOCAL_USER_FIELDS = ["exec", "auth-provider", "token-file", "client-certificate", "client-key"] as const;

const contextSchema = z.object({ cluster: z.string().min(1), user: z.string().min(1), namespace: z.string().optional() }).loose();
const clusterSchema = z
  .object({
    server: z.string().min(1),
    "certificate-authority-data": z.string().optional(),
    "certificate-authority": z.string().optional(),
    "insecure-skip-tls-verify": z.boolean().optional(),
    "tls-server-name": z.string().optional(),
  })
  .loose();

const fileSchema = z.object({
  "current-context": z.string().min(1, "current-context is empty"),
  contexts: z.array(z.object({ name: z.string().min(1), context: contextSchema })).default([]),
  clusters: z.array(z.object({ name: z.string().min(1), cluster: clusterSchema })).default([]),
  users: z.array(z.object({ name: z.string().min(1), user: z.record(z.string(), z.unknown()).nullable().default({}) })).default([]),
});

/** A kubeconfig reduced to what Minos uses, with what the status and the info route show. */
export interface ParsedKubeconfig {
  /** Holds only the current context, its cluster and its user. */
  config: KubeConfig;
  context: string;
  /** The API server's URL (shown to admins; never a credential). */
  server: string;
  /** When the client certificate expires; null for token or basic credentials. */
  certNotAfter: Date | null;
}

const invalid = (message: string) => new AppError("invalid_config", `Invalid kubeconfig: ${message}`);

/**
 * Parses and checks a kubeconfig: one current context that exists, an `https://` server, inline
 * credentials only (no exec or auth-provider plugins, no files).
 * @throws AppError invalid_config with a sentence saying what is wrong (never a credential).
 */
export function parseKubeconfig(text: string): ParsedKubeconfig {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) throw invalid(`not YAML (${doc.errors[0]!.message.split("\n")[0]})`);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 10 });
  } catch (e) {
    throw invalid((e as Error).message);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw invalid(z.prettifyError(parsed.error).replace(/\n/g, "; "));
  const file = parsed.data;
  const contextName = file["current-context"];
  const context = file.contexts.find((c) => c.name === contextName)?.context;
  if (!context) throw invalid(`the current context "${contextName}" is not among its contexts`);
  const cluster = file.clusters.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster) throw invalid(`the context "${contextName}" names the cluster "${context.cluster}", which it does not define`);
  const userEntry = file.users.find((u) => u.name === context.user);
  if (!userEntry) throw invalid(`the context "${contextName}" names the user "${context.user}", which it does not define`);
  const user = userEntry.user ?? {};

  let url: URL;
  try {
    url = new URL(cluster.server);
  } catch {
    throw invalid(`the server "${cluster.server}" is not a URL`);
  }
  if (url.protocol !== "https:") throw invalid(`the server must be https:// (got ${url.protocol}//)`);
  // Credentials in the URL would bypass the user checks and show wherever the server is shown;
  // a query or fragment is not part of an API server's address. Neither part is echoed back.
  if (url.username !== "" || url.password !== "") throw invalid("the server URL carries a username or password; give the credentials in the user entry");
  if (url.search !== "" || cluster.server.includes("?")) throw invalid("the server URL has a query string; give only https://host:port (and a path, if any)");
  if (url.hash !== "" || cluster.server.includes("#")) throw invalid("the server URL has a fragment; give only https://host:port (and a path, if any)");
  // Skipping verification would let anyone on the path take the credentials Minos sends and
  // drain nodes on Minos's behalf: the cluster's CA is required instead.
  if (cluster["insecure-skip-tls-verify"] === true) {
    throw invalid("insecure-skip-tls-verify is not allowed; give the cluster's CA as certificate-authority-data");
  }
  if (cluster["certificate-authority"] !== undefined) {
    throw invalid("certificate-authority names a file on the machine that reads it; give certificate-authority-data instead");
  }
  const local = LOCAL_USER_FIELDS.filter((f) => user[f] !== undefined && user[f] !== null);
  if (local.length > 0) {
    throw invalid(
      `the user "${context.user}" uses ${local.join(", ")}: Minos would run a program or read a file on its own host. ` +
        "Give inline credentials (client-certificate-data and client-key-data, or a token)",
    );
  }
  const str = (k: string) => (typeof user[k] === "string" && user[k] !== "" ? (user[k] as string) : undefined);
  const certData = str("client-certificate-data");
  const keyData = str("client-key-data");
  const token = str("token");
  const username = str("username");
  const password = str("password");
  if ((certData === undefined) !== (keyData === undefined)) throw invalid("client-certificate-data and client-key-data go together");
  if (!certData && !token && !(username && password)) throw invalid(`the user "${context.user}" has no credentials (client certificate, token, or username and password)`);

  let certNotAfter: Date | null = null;
  if (certData) {
    try {
      certNotAfter = new Date(new X509Certificate(Buffer.from(certData, "base64")).validTo);
    } catch {
      throw invalid("client-certificate-data is not a base64 PEM certificate");
    }
  }

  const config = new KubeConfig();
  // Only what Minos uses goes in: other contexts and users (perhaps with plugins) are left out.
  config.loadFromOptions({
    clusters: [
      {
        name: context.cluster,
        server: cluster.server,
        caData: cluster["certificate-authority-data"],
        // Never skipTLSVerify: refused above, and left out so client-node's default (verify) holds.
        tlsServerName: cluster["tls-server-name"],
      },
    ],
    users: [{ name: context.user, certData, keyData, token, username, password }],
    contexts: [{ name: contextName, cluster: context.cluster, user: context.user, namespace: context.namespace }],
    currentContext: contextName,
  });
  return { config, context: contextName, server: cluster.server, certNotAfter };
}
