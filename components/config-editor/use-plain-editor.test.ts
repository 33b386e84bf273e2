import { describe, expect, it } from "vitest";

import { plainEditorChoice } from "@/components/config-editor/use-plain-editor";

describe("plainEditorChoice", () => {
  it("gives a phone the plain-text editor when nobody chose", () => {
    expect(plainEditorChoice(null, true)).toBe(true);
    expect(plainEditorChoice(null, false)).toBe(false);
  });

  it("keeps a person's choice whatever the width", () => {
    expect(plainEditorChoice("0", true)).toBe(false);
    expect(plainEditorChoice("1", false)).toBe(true);
  });
});
