import { Metadata, status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";

import { AppError } from "@/lib/server/platform/errors";

import { cleanGrpcMessage, errorCodeForGrpcStatus, installerExitError, isUnsupportedResourceType, metadataError, NO_ANSWER_MESSAGE, publicFailure, toAppError } from "./errors";

function grpcError(code: number, details: string) {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata: new Metadata() });
}

describe("errorCodeForGrpcStatus", () => {
  it.each([
    [status.UNAVAILABLE, "node_unreachable"],
    [status.DEADLINE_EXCEEDED, "node_timeout"],
    [status.PERMISSION_DENIED, "forbidden"],
    [status.INVALID_ARGUMENT, "invalid_config"],
    [status.FAILED_PRECONDITION, "conflict"],
    [status.NOT_FOUND, "not_found"],
    [status.UNIMPLEMENTED, "unsupported"],
    [status.OK, "internal"],
    [status.CANCELLED, "internal"],
    [status.UNKNOWN, "internal"],
    [status.ALREADY_EXISTS, "internal"],
    [status.RESOURCE_EXHAUSTED, "internal"],
    [status.ABORTED, "internal"],
    [status.OUT_OF_RANGE, "internal"],
    [status.INTERNAL, "internal"],
    [status.DATA_LOSS, "internal"],
    [status.UNAUTHENTICATED, "internal"],
    [99, "internal"],
  ])("gRPC %s → %s", (code, expected) => {
    expect(errorCodeForGrpcStatus(code)).toBe(expected);
  });
});

describe("toAppError", () => {
  it("keeps the Talos message and attaches the node and the status", () => {
    const err = toAppError(grpcError(status.FAILED_PRECONDITION, "another apply configuration is already in progress"), "10.0.0.5");
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe("conflict");
    expect(err.message).toBe("another apply configuration is already in progress");
    expect(err.node).toBe("10.0.0.5");
    expect(err.details).toEqual({ grpcCode: status.FAILED_PRECONDITION, grpcStatus: "FAILED_PRECONDITION" });
    expect(err.cause).toBeInstanceOf(Error);
  });

  it("prefixes a context when given", () => {
    const err = toAppError(grpcError(status.UNAVAILABLE, "connection refused"), "n1", "Version");
    expect(err.message).toBe("Version: connection refused");
    expect(err.code).toBe("node_unreachable");
  });

  it("passes an AppError through, adding a missing node", () => {
    const original = new AppError("conflict", "busy");
    expect(toAppError(original)).toBe(original);
    const withNode = toAppError(original, "n2");
    expect(withNode.node).toBe("n2");
    expect(withNode.code).toBe("conflict");
    const already = new AppError("conflict", "busy", { node: "n3" });
    expect(toAppError(already, "n4")).toBe(already);
  });

  it("wraps anything else as internal", () => {
    const err = toAppError(new TypeError("boom"), "n1");
    expect(err.code).toBe("internal");
    expect(err.message).toBe("boom");
    expect(toAppError("weird").message).toBe("weird");
  });
});

describe("metadataError", () => {
  it("is undefined without an error", () => {
    expect(metadataError(undefined)).toBeUndefined();
    expect(metadataError({ hostname: "x", error: "" } as never)).toBeUndefined();
  });

  it("maps the embedded status", () => {
    const err = metadataError({ error: "rpc error: code = PermissionDenied", status: { code: status.PERMISSION_DENIED, message: "not authorized" } }, "n1");
    expect(err?.code).toBe("forbidden");
    expect(err?.message).toBe("not authorized");
    expect(err?.node).toBe("n1");
  });

  it("falls back to the error text without a status", () => {
    const err = metadataError({ error: "something broke" });
    expect(err?.code).toBe("internal");
    expect(err?.message).toBe("something broke");
  });
});

describe("installerExitError", () => {
  it.each([
    [2, "bad_request", "invalid input"],
    [3, "unsupported", "unsupported"],
    [5, "internal", "dependency or image pull failure"],
    [7, "internal", "install failure"],
    [42, "internal", "unknown exit code"],
  ])("exit %i → %s (%s)", (exitCode, code, meaning) => {
    const err = installerExitError(exitCode, "n1", "last line");
    expect(err.code).toBe(code);
    expect(err.message).toBe(`installer exited with code ${exitCode} (${meaning}): last line`);
    expect(err.details).toEqual({ exitCode, meaning });
  });
});

describe("cleanGrpcMessage", () => {
  it.each([
    [
      "No connection established. Last error: Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames: IP: 127.0.32.5 is not in the cert's list: 127.0.0.99. Resolution note: ",
      "Hostname/IP does not match certificate's altnames: IP: 127.0.32.5 is not in the cert's list: 127.0.0.99",
    ],
    ["No connection established. Last error: Error: self-signed certificate in certificate chain. Resolution note: ", "self-signed certificate in certificate chain"],
    ["No connection established. Last error: Failed to connect (2026-11-26T18:57:19.641Z). Resolution note: ", "Failed to connect (2026-11-26T18:57:19.641Z)"],
    ["another apply configuration is already in progress", "another apply configuration is already in progress"],
  ])("%s", (input, expected) => {
    expect(cleanGrpcMessage(input)).toBe(expected);
  });
});

describe("publicFailure", () => {
  it.each([
    "connect ECONNREFUSED 10.0.0.5:22",
    "No connection established. Last error: Error: 80:error:0A00010B:SSL routines:ssl3_get_record:wrong version number. Resolution note: ",
    "No connection established. Last error: Error: self-signed certificate in certificate chain. Resolution note: ",
    "Connection dropped",
  ])("a transport failure reads the same whatever the transport said: %s", (details) => {
    expect(publicFailure(toAppError(grpcError(status.UNAVAILABLE, details), "n1"))).toEqual({ code: "node_unreachable", message: NO_ANSWER_MESSAGE });
  });

  it("keeps the code of a timeout", () => {
    expect(publicFailure(toAppError(grpcError(status.DEADLINE_EXCEEDED, "Deadline exceeded after 1.002s,LB pick: 0.001s"), "n1"))).toEqual({ code: "node_timeout", message: NO_ANSWER_MESSAGE });
  });

  it("keeps what is about Minos's own credentials: an expired client certificate", () => {
    const e = new AppError("node_unreachable", "Connection dropped (the client certificate expired at 2026-01-01T00:00:00.000Z)", { details: { clientCertificateExpiredAt: "2026-01-01T00:00:00.000Z" } });
    expect(publicFailure(e).message).toBe(`${NO_ANSWER_MESSAGE} (the client certificate expired at 2026-01-01T00:00:00.000Z)`);
  });

  it("passes a node's own answers through", () => {
    const e = toAppError(grpcError(status.PERMISSION_DENIED, "not authorized"), "n1");
    expect(publicFailure(e)).toEqual({ code: "forbidden", message: "not authorized" });
  });
});

describe("isUnsupportedResourceType", () => {
  // Talos's words, internal/app/resources/access.go AccessPolicy (PermissionDenied).
  const talos = (details: string) => toAppError(grpcError(status.PERMISSION_DENIED, details), "10.5.0.2");

  it.each([
    ['resource type "BootIDs.runtime.talos.dev" is not supported', undefined, true],
    ['resource type "BootIDs.runtime.talos.dev" is not supported', "BootIDs.runtime.talos.dev", true],
    ['resource type "BootIDs.runtime.talos.dev" is not supported', "Members.cluster.talos.dev", false],
    ['namespace "nowhere" is not supported', undefined, false],
    ["not authorized", undefined, false],
    ["write access is not allowed", undefined, false],
  ])("%j (type %s) → %s", (details, type, expected) => {
    expect(isUnsupportedResourceType(talos(details), type)).toBe(expected);
  });

  it("only for PermissionDenied", () => {
    const other = toAppError(grpcError(status.NOT_FOUND, 'resource type "X" is not supported'));
    expect(isUnsupportedResourceType(other)).toBe(false);
  });
});
