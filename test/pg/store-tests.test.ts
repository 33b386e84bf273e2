import { describe, expect, it } from "vitest";

import { literalGlob, storelessTestFiles } from "./store-tests";

describe("which test files the postgres project leaves out", () => {
  it("keeps files that reach the store, directly, through others, or by starting a process", () => {
    const graph = new Map([
      ["a.test.ts", ["lib/x.ts"]],
      ["lib/x.ts", ["lib/server/platform/db/db.ts"]],
      ["lib/server/platform/db/db.ts", []],
      ["b.test.ts", ["lib/spawner.ts"]],
      ["lib/spawner.ts", []],
      ["c.test.ts", ["lib/pure.ts", "c.test.ts"]],
      ["lib/pure.ts", []],
      ["e2e/d.test.ts", []],
    ]);
    const sources: Record<string, string> = { "lib/spawner.ts": 'import { spawn } from "node:child_process";' };
    expect(storelessTestFiles(graph, (f) => sources[f] ?? "")).toEqual(["c.test.ts"]);
  });

  it("on this repository: the store's own tests and a route's stay, pure libraries go", () => {
    const storeless = storelessTestFiles();
    expect(storeless).toContain("lib/talos/version.test.ts");
    expect(storeless).toContain("test/architecture/import-cycles.test.ts");
    expect(storeless).not.toContain("lib/server/platform/db/store.test.ts");
    expect(storeless).not.toContain("app/api/nodes/[node]/reboot/route.test.ts");
    // Starts Minos as a child process.
    expect(storeless).not.toContain("lib/cli/manifest-server.test.ts");
  });

  it("a path with brackets becomes a glob that names it alone", () => {
    expect(literalGlob("app/api/nodes/[node]/reboot/route.test.ts")).toBe("app/api/nodes/\\[node\\]/reboot/route.test.ts");
    expect(literalGlob("lib/a.test.ts")).toBe("lib/a.test.ts");
  });
});
