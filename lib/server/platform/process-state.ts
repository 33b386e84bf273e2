/**
 * The one object on `globalThis` that holds the server process's long-lived services and caches
 * (database, event bus, metrics, poller, runners, Talos channels, …); nothing else under
 * lib/server touches `globalThis`. Why global at all: Next loads one module more than once in a
 * process (instrumentation, route handlers and pages are bundled apart, and `next dev` reloads
 * modules), and every copy must reach the same poller, database and bus, or two runners would
 * drive the same plan twice.
 *
 * Each owner declares its own slot, typed where it is used, so this file imports nothing and any
 * layer may depend on it:
 *
 *     const g = processState<{ __minosDb?: Db }>();
 *     g.__minosDb ??= openDb(…);
 *
 * lib/server/runtime.ts is the composition root that starts, stops and (for tests) clears it.
 */

const ROOT_KEY = "__minosRuntime";

type Slots = Record<string, unknown>;

function root(): Slots {
  const g = globalThis as { [ROOT_KEY]?: Slots };
  return (g[ROOT_KEY] ??= {});
}

/** The process's slots, typed as the caller's own. The object is the same for the life of the process. */
export function processState<T extends object>(): T {
  return root() as T;
}

/** The names of the slots that hold something now (for diagnostics and tests). */
export function processStateKeys(): string[] {
  const slots = root();
  return Object.keys(slots).filter((k) => slots[k] !== undefined);
}

/**
 * Empties every slot, in place: modules keep their reference to the one object, so the next
 * accessor call builds its service afresh. Stopping what runs is the caller's job (see runtime.ts).
 */
export function clearProcessState(): void {
  const slots = root();
  for (const key of Object.keys(slots)) delete slots[key];
}
