import "server-only";

import type { TalosClient } from "@/lib/server/talos";

import { codeOf } from "./errors";

/** The Talos calls a boot identity needs; `TalosClient` fits, tests may pass a fake. */
export type BootTalos = Pick<TalosClient, "bootId" | "systemStat">;

const BOOT_TIME = "boot-time:";

/**
 * Something that changes on every boot, as a string that rollouts and upgrades persist before
 * they reboot a node: the BootID resource (Talos 1.14+) as is, else `boot-time:<seconds>` from
 * MachineService/SystemStat (any version, or when the caller's role may not read BootID).
 *
 * `like` is the identity stored before the reboot: a boot-time one asks for a boot time again,
 * so the two compare (a node that answered SystemStat before its reboot is compared by boot time).
 */
export async function bootIdentity(client: BootTalos, address: string, opts: { like?: string | null; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<string> {
  const { like, ...call } = opts;
  if (!isBootTime(like)) {
    try {
      return await client.bootId(address, call);
    } catch (e) {
      // Duck-typed: the client may come from another bundle chunk with its own AppError class.
      const code = codeOf(e);
      if (code !== "unsupported" && code !== "forbidden") throw e;
    }
  }
  return `${BOOT_TIME}${(await client.systemStat(address, call)).bootTime}`;
}

/**
 * Whether two boot identities name the same boot. Rollouts stored `id:<bootId>` and
 * `time:<bootTime>` before the runners shared this helper; a rollout persisted by such a Minos
 * and resumed by this one must still compare, so those forms are read as the current ones.
 */
export function sameBoot(a: string, b: string): boolean {
  return canonical(a) === canonical(b);
}

function isBootTime(identity: string | null | undefined): boolean {
  return identity != null && (identity.startsWith(BOOT_TIME) || identity.startsWith("time:"));
}

function canonical(identity: string): string {
  if (identity.startsWith("id:")) return identity.slice("id:".length);
  if (identity.startsWith("time:")) return BOOT_TIME + identity.slice("time:".length);
  return identity;
}
