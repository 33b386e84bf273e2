import { describe, expect, it } from "vitest";

import { formatSourceError, SourceError } from "./errors";

describe("formatSourceError", () => {
  it("prints FILE:LINE:COL and the path", () => {
    const e = new SourceError("cannot merge a list into a map", { source: "p.yaml", line: 3, column: 5, path: "machine.network" });
    expect(formatSourceError(e)).toBe("p.yaml:3:5: error: cannot merge a list into a map (at machine.network)");
  });
  it("falls back to the given name and omits what it does not know", () => {
    expect(formatSourceError(new SourceError("unknown version"), "secrets.yaml")).toBe("secrets.yaml: error: unknown version");
  });
});
