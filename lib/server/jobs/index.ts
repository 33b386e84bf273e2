/**
 * What the persisted job runners (config rollouts, rolling upgrades) share: the drive loops,
 * the per-node wait, the boot identity that tells a reboot happened, and error helpers. The
 * clock itself is lib/utils/clock (the simulator needs it too and must not import lib/server).
 */
export { bootIdentity, sameBoot, type BootTalos } from "./boot-identity";
export { codeOf, errorText } from "./errors";
export { JobLoops, type LoopContext } from "./loops";
export { type EventsTalos, gateEvent, NodeEventWake, type NodeEventsOptions } from "./node-events";
export { waitUntil, type Verdict, type WaitOptions, type WaitResult } from "./wait";
export { describeBlocking, type DrainDeps, type DrainOutcome, drainNode, drainStepLabel, FORCE_NOW_SECONDS, UNCORDON_RETRY_MS, uncordonNode } from "./drain-step";
