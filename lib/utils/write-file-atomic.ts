/**
 * Writes a file so that readers see the old content or the new, never half of it, with the given
 * mode whatever the umask. Node-only; used where a state directory holds keys (the simulator) or
 * a talosconfig is written.
 */
import crypto from "node:crypto";
import { chmod, rename, writeFile } from "node:fs/promises";

/** Temp file beside the target (same filesystem, so rename is atomic), then rename over it. */
export async function writeFileAtomic(file: string, data: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  await writeFile(tmp, data, { mode });
  await chmod(tmp, mode);
  await rename(tmp, file);
}
