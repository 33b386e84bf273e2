import { describe, expect, it } from "vitest";

import { isPermanentFailure } from "./backoff";

describe("isPermanentFailure", () => {
  it("takes a webhook's or Slack's 4xx as final, except 408, 425 and 429", () => {
    for (const type of ["webhook", "slack"]) {
      for (const code of [400, 401, 403, 404, 405, 410, 413, 422]) expect(isPermanentFailure(type, code)).toBe(true);
      for (const code of [408, 425, 429, 500, 502, 503, 504, 301, 200]) expect(isPermanentFailure(type, code)).toBe(false);
      expect(isPermanentFailure(type, null)).toBe(false);
    }
  });

  it("takes an SMTP 5xx reply as final and a 4xx reply as transient", () => {
    for (const code of [550, 551, 553, 554, 535]) expect(isPermanentFailure("email", code)).toBe(true);
    for (const code of [421, 450, 451, 452, 250]) expect(isPermanentFailure("email", code)).toBe(false);
    expect(isPermanentFailure("email", null)).toBe(false);
  });
});
