import "server-only";

/**
 * Node actions: one function per node that the routes and bulk actions share. See core.ts for
 * the order of checks and what Talos does itself (drain on shutdown and graceful reset).
 */
export { runNodeAction, nodeActionKind, nodeActionAuditName, type NodeAction, type NodeActionActor, type NodeActionContext } from "./core";
export { defaultNodeActionDeps, type NodeActionDeps } from "./deps";
export { quorumVerdict, quorumOf, type QuorumVerdict } from "./quorum";
