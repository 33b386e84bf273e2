/**
 * The part of the Reflect metadata API that tsyringe (and so @peculiar/x509) calls at import time.
 * Side-effect module: import it before "@peculiar/x509" (see lib/utils/x509.ts).
 */
const r = Reflect as unknown as Record<string, unknown>;
if (typeof r.getMetadata !== "function") {
  const store = new WeakMap<object, Map<unknown, unknown>>();
  r.defineMetadata = (key: unknown, value: unknown, target: object) => {
    let m = store.get(target);
    if (!m) store.set(target, (m = new Map()));
    m.set(key, value);
  };
  r.getOwnMetadata = (key: unknown, target: object) => store.get(target)?.get(key);
  r.getMetadata = (key: unknown, target: object) => {
    for (let o: object | null = target; o; o = Object.getPrototypeOf(o) as object | null) {
      const m = store.get(o);
      if (m?.has(key)) return m.get(key);
    }
    return undefined;
  };
}

export {};
