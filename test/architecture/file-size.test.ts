/**
 * No hand-written file over 500 lines: past that a file does several jobs (the 957-line poller
 * did seven). Generated stubs and vendored copies are exempt (see isGenerated).
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { generatedPatterns, isCode, isGenerated, lineCount, listFiles, ROOT } from "./source-graph";

const MAX_LINES = 500;

describe("file size", () => {
  it(`keeps every hand-written code file at ${MAX_LINES} lines or fewer`, () => {
    const patterns = generatedPatterns();
    const checked: string[] = [];
    const tooLong: string[] = [];
    for (const file of listFiles().filter(isCode)) {
      const text = readFileSync(path.join(ROOT, file), "utf8");
      if (isGenerated(file, text.slice(0, 2000), patterns)) continue;
      checked.push(file);
      const lines = lineCount(text);
      if (lines > MAX_LINES) tooLong.push(`${file}: ${lines} lines`);
    }
    expect(checked.length).toBeGreaterThan(100);
    expect(tooLong, "split these by responsibility").toEqual([]);
  });
});
