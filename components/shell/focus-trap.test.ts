import { describe, expect, it } from "vitest";

import { wrapTarget } from "@/components/shell/focus-trap";

// Stand-ins for elements: wrapTarget only compares identities.
const [a, b, c] = [{ id: "a" }, { id: "b" }, { id: "c" }] as unknown as HTMLElement[];
const all = [a!, b!, c!];

describe("wrapTarget", () => {
  it("wraps Tab from the last element to the first", () => {
    expect(wrapTarget(all, c!, false)).toBe(a);
  });

  it("wraps Shift+Tab from the first element to the last", () => {
    expect(wrapTarget(all, a!, true)).toBe(c);
  });

  it("leaves moves inside the container to the browser", () => {
    expect(wrapTarget(all, a!, false)).toBeNull();
    expect(wrapTarget(all, b!, true)).toBeNull();
    expect(wrapTarget(all, b!, false)).toBeNull();
  });

  it("pulls focus that is outside the container back in", () => {
    const outside = { id: "outside" } as unknown as Element;
    expect(wrapTarget(all, outside, false)).toBe(a);
    expect(wrapTarget(all, outside, true)).toBe(c);
    expect(wrapTarget(all, null, false)).toBe(a);
  });

  it("does nothing in a container with nothing to focus", () => {
    expect(wrapTarget([], a!, false)).toBeNull();
  });
});
