import "server-only";

import type { AlertChannelEvent, AlertEvent } from "@/lib/schemas/alerts";

// The alert topics of the event bus (platform/events.ts), carried to browsers by GET /api/events.
declare module "@/lib/server/platform/events" {
  interface ServerEvents {
    alerts: AlertEvent;
    "alert-channel": AlertChannelEvent;
  }
}

export {};
