/** The text of a failure, for node messages and logs. */
export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The AppError code of a failure. Duck-typed: Next may bundle the Talos client and a runner into
 * separate chunks, each with its own AppError class, so `instanceof` is not reliable here.
 */
export function codeOf(e: unknown): string | undefined {
  return typeof e === "object" && e !== null && "code" in e && typeof e.code === "string" ? e.code : undefined;
}
