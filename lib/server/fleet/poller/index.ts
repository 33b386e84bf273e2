import "server-only";

// The fleet poller's public surface; its parts stay private to this folder.
export { createFleetPoller, FleetPoller } from "./poller";
export type { PollClient, PollerClock, PollerCluster, PollerOptions, PollerStats } from "./types";
