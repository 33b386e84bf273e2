import { describe, expect, it } from "vitest";

import { AppError, isAppError } from "@/lib/server/errors";

import { errorCodeOf, localAppError, mapErrors } from "./errors";

// What an AppError made by another bundle's copy of lib/server/errors.ts looks like here.
class ForeignAppError extends Error {
  readonly code = "node_unreachable" as const;
  readonly node = "10.0.0.1";
  readonly details = { grpcCode: 14 };
  constructor(message: string) {
    super(message);
    this.name = "AppError";
  }
}

describe("config push error re-homing", () => {
  it("reads the code of an AppError from another bundle", () => {
    expect(errorCodeOf(new ForeignAppError("down"))).toBe("node_unreachable");
    expect(errorCodeOf(new AppError("conflict", "busy"))).toBe("conflict");
    expect(errorCodeOf(new Error("plain"))).toBeUndefined();
  });

  it("turns it into a local AppError with code, node and details", async () => {
    const e = localAppError(new ForeignAppError("down"));
    expect(isAppError(e)).toBe(true);
    expect(e).toMatchObject({ code: "node_unreachable", node: "10.0.0.1", details: { grpcCode: 14 }, message: "down" });
    await expect(mapErrors(async () => Promise.reject(new ForeignAppError("x")))).rejects.toBeInstanceOf(AppError);
    const plain = new Error("plain");
    expect(localAppError(plain)).toBe(plain);
  });
});
