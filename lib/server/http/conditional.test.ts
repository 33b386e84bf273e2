import { describe, expect, it } from "vitest";

import { chooseEncoding, etagFor, ifNoneMatchHits, MIN_COMPRESSIBLE_BYTES, negotiateEncoding, parseIfNoneMatch } from "@/lib/server/http/conditional";

describe("parseIfNoneMatch", () => {
  it.each([
    [null, null],
    ["*", "*"],
    [" * ", "*"],
    ['"abc"', ['"abc"']],
    ['W/"abc"', ['"abc"']],
    ['"a", W/"b" ,"c"', ['"a"', '"b"', '"c"']],
    // etagc may hold a comma: the tag is not split there.
    ['"a,b", "c"', ['"a,b"', '"c"']],
    ['""', ['""']],
    // Junk between tags is skipped; an unquoted token is no tag at all.
    ["abc", []],
    ['abc, "d"', ['"d"']],
  ] as const)("%j → %j", (header, tags) => {
    expect(parseIfNoneMatch(header)).toEqual(tags);
  });
});

describe("ifNoneMatchHits (weak comparison)", () => {
  const etag = etagFor("k3y", "identity");
  it.each([
    [null, false],
    ["*", true],
    ['"k3y"', true],
    ['W/"k3y"', true],
    ['"other", W/"k3y"', true],
    ['"other"', false],
    // Another coding's tag names other bytes.
    ['"k3y-br"', false],
    ["k3y", false],
    ['"K3Y"', false],
  ] as const)("If-None-Match %j → %s", (header, hit) => {
    expect(ifNoneMatchHits(header, etag)).toBe(hit);
  });

  it("a weak current tag compares by its opaque part", () => {
    expect(ifNoneMatchHits('"x"', 'W/"x"')).toBe(true);
  });
});

describe("negotiateEncoding", () => {
  it.each([
    [null, "identity"],
    ["", "identity"],
    ["identity", "identity"],
    ["gzip", "gzip"],
    ["br", "br"],
    ["gzip, deflate, br", "br"],
    ["gzip, deflate, br, zstd", "br"],
    ["GZIP", "gzip"],
    ["x-gzip", "gzip"],
    ["deflate", "identity"],
    // q-values: the highest wins; a tie goes to br.
    ["br;q=0.5, gzip;q=0.8", "gzip"],
    ["br;q=0.8, gzip", "gzip"],
    ["gzip;q=0.5, br;q=0.5", "br"],
    ["br;q=1.0, gzip;q=1", "br"],
    ["br; q=0.001", "br"],
    ["br;Q=0.9, gzip;q=0.1", "br"],
    // q=0 refuses a coding.
    ["br;q=0, gzip", "gzip"],
    ["br;q=0, gzip;q=0", "identity"],
    ["br;q=0.000, gzip;q=0", "identity"],
    // The wildcard stands for what is not named.
    ["*", "br"],
    ["br;q=0, *", "gzip"],
    ["*;q=0", "identity"],
    ["gzip;q=0.3, *;q=0.2", "gzip"],
    // Malformed q: not acceptable.
    ["br;q=2, gzip", "gzip"],
    ["br;q=abc", "identity"],
    ["br;q=0.1234", "identity"],
    // The better of a coding named twice.
    ["br;q=0, br;q=0.5", "br"],
  ] as const)("Accept-Encoding %j → %s", (header, coding) => {
    expect(negotiateEncoding(header)).toBe(coding);
  });

  it("offers only what the server offers, in its order", () => {
    expect(negotiateEncoding("br, gzip", ["gzip"])).toBe("gzip");
    expect(negotiateEncoding("gzip, br", ["gzip", "br"])).toBe("gzip");
  });
});

describe("chooseEncoding", () => {
  it("leaves small bodies alone, whatever the client accepts", () => {
    expect(chooseEncoding("br, gzip", MIN_COMPRESSIBLE_BYTES - 1)).toBe("identity");
    expect(chooseEncoding("br, gzip", 0)).toBe("identity");
    expect(chooseEncoding("br, gzip", MIN_COMPRESSIBLE_BYTES)).toBe("br");
    expect(chooseEncoding(null, 1 << 20)).toBe("identity");
  });
});

describe("etagFor", () => {
  it("gives every coding a strong tag of its own", () => {
    expect([etagFor("b", "identity"), etagFor("b", "br"), etagFor("b", "gzip")]).toEqual(['"b"', '"b-br"', '"b-gzip"']);
  });
});
