import { describe, expect, it } from "vitest";

import { safeNextPath } from "@/lib/auth/next-path";

/** How a browser resolves a Location header on a Minos page: the host it ends up on. */
function hostAfterRedirect(location: string): string {
  return new URL(location, "https://minos.example/sign-in?next=x").host;
}

describe("safeNextPath", () => {
  it.each([
    ["/", "/"],
    ["/nodes", "/nodes"],
    ["/nodes/10.5.0.2%40sim-1", "/nodes/10.5.0.2%40sim-1"],
    ["/config?node=10.5.0.2%40sim-1&cluster=sim-1", "/config?node=10.5.0.2%40sim-1&cluster=sim-1"],
    ["/audit#top", "/audit#top"],
    ["/config/rollouts/abc-123", "/config/rollouts/abc-123"],
    // Normalised the way the browser would, and still on Minos.
    ["/nodes/../audit", "/audit"],
    ["/a b", "/a%20b"],
  ])("keeps the same-origin path %j as %j", (next, expected) => {
    expect(safeNextPath(next)).toBe(expected);
  });

  // Each of these is what `searchParams.next` holds after Next decoded the query string.
  it.each([
    ["a backslash after the slash (?next=/%5Cevil.example)", "/\\evil.example"],
    ["two backslashes", "/\\\\evil.example"],
    ["slash backslash slash", "/\\/evil.example"],
    ["a tab after the slash (?next=/%09/evil.example)", "/\t/evil.example"],
    ["a newline (?next=/%0A/evil.example)", "/\n/evil.example"],
    ["a carriage return and line feed (header injection)", "/nodes\r\nSet-Cookie: x=y"],
    ["a NUL byte", "/nodes\u0000"],
    ["a C1 control character", "/nodes\u0085"],
    ["a protocol-relative URL", "//evil.example"],
    ["a protocol-relative URL with a path", "//evil.example/nodes"],
    ["three slashes", "///evil.example"],
    ["a dot segment that leaves an empty first segment", "/.//evil.example"],
    ["an encoded dot-dot segment that leaves an empty first segment", "/%2e%2e//evil.example"],
    ["an absolute https URL", "https://evil.example/"],
    ["an absolute URL on Minos's own scheme", "http://evil.example"],
    ["javascript:", "javascript:alert(1)"],
    ["JavaScript: in another case", "JaVaScRiPt:alert(1)"],
    ["data:", "data:text/html,<script>alert(1)</script>"],
    ["a relative path (no leading slash)", "evil.example"],
    ["a leading space", " /nodes"],
    ["userinfo-looking text", "@evil.example"],
    ["the empty string", ""],
    ["an overlong path", `/${"a".repeat(5000)}`],
  ])("refuses %s", (_what, next) => {
    expect(safeNextPath(next)).toBe("/");
  });

  it.each([[undefined], [null], [42], [["/nodes", "//evil.example"]], [{ toString: () => "/nodes" }]])("refuses the non-string %j (a repeated ?next= arrives as an array)", (next) => {
    expect(safeNextPath(next)).toBe("/");
  });

  // Whatever goes in, a browser following the answer stays on Minos: a property over a corpus
  // of hostile building blocks, not just the table above.
  it("never yields a target a browser resolves to another host", () => {
    const parts = ["/", "\\", "//", "/\\", "\t", "\n", "%09", "%5C", "%2F", ".", "..", "%2e", "evil.example", "@", ":", "?", "#", "javascript:", "http:"];
    for (const a of parts) for (const b of parts) for (const c of parts) {
      const next = `/${a}${b}${c}`;
      const target = safeNextPath(next);
      expect(target.startsWith("/"), next).toBe(true);
      expect(hostAfterRedirect(target), next).toBe("minos.example");
    }
  });
});
