import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { clearProcessState, processState, processStateKeys } from "@/lib/server/platform/process-state";

describe("process state", () => {
  it("is one object for every caller, whatever slot type each declares", () => {
    const a = processState<{ __testA?: number }>();
    const b = processState<{ __testB?: string }>();
    a.__testA = 1;
    expect((b as Record<string, unknown>).__testA).toBe(1);
    expect(processStateKeys()).toContain("__testA");
  });

  it("lists only slots that hold something", () => {
    const s = processState<{ __testEmpty?: number }>();
    s.__testEmpty = undefined;
    expect(processStateKeys()).not.toContain("__testEmpty");
  });

  it("clears in place, so a module's saved reference builds afresh on its next use", () => {
    const held = processState<{ __testService?: { id: number } }>();
    held.__testService = { id: 1 };
    clearProcessState();
    expect(held.__testService).toBeUndefined();
    expect(processStateKeys()).toEqual([]);
    held.__testService ??= { id: 2 };
    expect(processState<{ __testService?: { id: number } }>().__testService).toEqual({ id: 2 });
  });
});

/** Hand-written server sources (generated stubs and benchmarks, which read `globalThis.gc`, aside). */
function serverSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "gen" ? [] : serverSources(file);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith(".bench.ts") ? [file] : [];
  });
}

describe("the process state is the only global", () => {
  it("no other file under lib/server reads or writes globalThis", () => {
    const root = path.resolve(__dirname, "..");
    const offenders = serverSources(root)
      .filter((f) => path.basename(f) !== "process-state.ts" && path.basename(f) !== "process-state.test.ts")
      .filter((f) => readFileSync(f, "utf8").split("\n").some((line) => /\bglobalThis\b/.test(line.replace(/\/\/.*$|^\s*\*.*$/, ""))))
      .map((f) => path.relative(root, f));
    expect(offenders).toEqual([]);
  });
});
