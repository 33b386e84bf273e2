import { describe, expect, it } from "vitest";

import { openingText } from "./drafts";

describe("openingText", () => {
  const initial = { yaml: "saved", revision: 4 };
  it("opens the saved revision when there is no draft or the draft equals it", () => {
    expect(openingText(initial, null)).toEqual({ text: "saved", notice: null });
    expect(openingText(initial, { text: "saved", baseRevision: 3 })).toEqual({ text: "saved", notice: null });
  });
  it("restores a draft made on the same revision, and says so", () => {
    expect(openingText(initial, { text: "edited", baseRevision: 4 })).toMatchObject({ text: "edited", notice: expect.stringMatching(/restored/) });
  });
  it("never restores a draft over a newer revision", () => {
    expect(openingText(initial, { text: "edited", baseRevision: 3 })).toMatchObject({ text: "saved", notice: expect.stringMatching(/#3.*#4.*not restored/) });
  });
});
