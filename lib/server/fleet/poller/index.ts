import "server-only";

// The fleet poller's public surface; its parts stay private to this folder.
export { createFleetPoller, FleetPoller } from "./poller";
export type { ClusterImage } from "./image";
export type { OwnablePoller, PollClient, PollerClock, PollerCluster, PollerOptions, PollerOwnership, PollerStats } from "./types";
