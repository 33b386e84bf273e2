import "server-only";

import type { UpgradeEvent } from "@/lib/schemas/upgrades";
import type { Db } from "@/lib/server/platform/db/db";
import { relayTopic } from "@/lib/server/platform/relay";

import { UpgradeRepository } from "./repository";

declare module "@/lib/server/platform/events" {
  interface ServerEvents {
    /** Every persisted plan or node transition of a rolling upgrade, with the whole plan. */
    upgrade: UpgradeEvent;
  }
}

/**
 * Upgrade events reach the browsers of every replica, not only the one driving the plan
 * (platform/relay, on PostgreSQL). A whole plan with its node messages is usually beyond
 * NOTIFY's limit, so its id travels and each receiving replica reads the plan from the store,
 * as it is then (a later transition's event follows anyway).
 */
export function relayUpgradeEvents(db: () => Db): void {
  relayTopic("upgrade", {
    ref: (event) => event.plan.id,
    load: async (id) => {
      const plan = await new UpgradeRepository(db()).getPlan(id, Date.now());
      return plan ? { type: "upgrade", plan } : null;
    },
  });
}
