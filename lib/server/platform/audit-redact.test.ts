import { describe, expect, it } from "vitest";

import { listAudit, recordAudit } from "@/lib/server/platform/audit";
import { testDb } from "@/test/db";

describe("audit details are redacted", () => {
  it("drops secret-named values and credentials inside strings, keeps the rest", async () => {
    const db = await testDb();
    await recordAudit(db, {
      actor: "alice",
      action: "config.preflight",
      target: "10.0.0.1@lab",
      result: "refused",
      details: {
        mode: "auto",
        error: "The config has 1 error: invalid URL \"https://omni.example.com?jointoken=AUDITJOINsecret\"",
        verdict: "The node refused this config: proxy http://u:AUDITPROXYpass@proxy:3128 unreachable",
        nested: [{ token: "AUDITTOKENsecret", apiToken: 42, prefix: "mno_ab12" }],
        changedSecrets: ["machine.token"],
      },
    });
    const [entry] = await listAudit(db, { limit: 1 });
    const text = JSON.stringify(entry);
    for (const s of ["AUDITJOINsecret", "AUDITPROXYpass", "AUDITTOKENsecret"]) expect(text).not.toContain(s);
    expect(entry!.details).toEqual({
      mode: "auto",
      error: "The config has 1 error: invalid URL \"https://omni.example.com?jointoken=******\"",
      verdict: "The node refused this config: proxy http://u:******@proxy:3128 unreachable",
      nested: [{ token: "******", apiToken: "******", prefix: "mno_ab12" }],
      changedSecrets: ["machine.token"],
    });
  });
});
