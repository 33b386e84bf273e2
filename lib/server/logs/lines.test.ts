import { describe, expect, it } from "vitest";

import { LineSplitter } from "./lines";

const s = (b: Buffer) => b.toString("utf8");

describe("LineSplitter", () => {
  it("holds a line cut across chunks until it ends, and passes whole lines at once", () => {
    const sp = new LineSplitter();
    expect(s(sp.push(Buffer.from("one\ntw")))).toBe("one\n");
    expect(s(sp.push(Buffer.from("o\nthr")))).toBe("two\n");
    expect(s(sp.push(Buffer.from("ee")))).toBe("");
    expect(s(sp.end())).toBe("three\n");
    expect(s(sp.end())).toBe("");
  });

  it("keeps a UTF-8 character cut between chunks whole", () => {
    const bytes = Buffer.from("é\n");
    const sp = new LineSplitter();
    expect(sp.push(bytes.subarray(0, 1)).length).toBe(0);
    expect(s(sp.push(bytes.subarray(1)))).toBe("é\n");
  });

  it("cuts a line longer than the bound into bounded pieces, never holding more", () => {
    const sp = new LineSplitter(8);
    expect(s(sp.push(Buffer.from("abcdefghij")))).toBe("abcdefgh\n");
    expect(s(sp.push(Buffer.from("klmnopqrstu\n")))).toBe("ijklmnop\nqrstu\n");
  });

  it("closes each Dmesg message as a line, whether or not it ends in a newline", () => {
    const sp = new LineSplitter();
    expect(s(sp.message(Buffer.from("kern:    info: [2026-12-06T20:00:00Z]: Linux version 6.12")))).toBe("kern:    info: [2026-12-06T20:00:00Z]: Linux version 6.12\n");
    expect(s(sp.message(Buffer.from("kern:  notice: [2026-12-06T20:00:01Z]: two\n")))).toBe("kern:  notice: [2026-12-06T20:00:01Z]: two\n");
  });
});
