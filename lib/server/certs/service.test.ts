/**
 * The scanner's reaction to cluster changes: fleet announces them on the event bus (it does not
 * import certs, which imports fleet), and the scanner rescans at once instead of at its interval.
 */
import { afterEach, describe, expect, it } from "vitest";

import { getCertInventory, scanNow, setCertScanDepsForTests } from "@/lib/server/certs/service";
import { publish } from "@/lib/server/platform/events";

afterEach(() => {
  setCertScanDepsForTests(null);
});

describe("certificate scanner", () => {
  it("rescans when the set of clusters changes (an upload or its removal)", async () => {
    let scans = 0;
    setCertScanDepsForTests(async () => {
      scans++;
      return { contexts: [], client: () => Promise.reject(new Error("no cluster to reach")) };
    });
    const first = await getCertInventory({ waitMs: 5_000 });
    expect(first?.certificates).toEqual([]);
    expect(scans).toBe(1);
    // A fresh inventory is served as is: nothing else would scan again before the interval.
    await getCertInventory();
    expect(scans).toBe(1);

    // Delivery is synchronous and a scan reads its deps as it starts: the rescan is under way now.
    publish("clusters", { clusters: ["uploaded"] });
    expect(scans).toBe(2);
    await scanNow(); // joins that scan rather than starting another
    expect(scans).toBe(2);
  });
});
