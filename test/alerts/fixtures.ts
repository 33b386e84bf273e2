/** Builders shared by the alert engine's tests. */
import { RULES } from "@/lib/alerts/catalog";
import type { AlertRuleId, AlertRuleSettings } from "@/lib/schemas/alerts";
import type { NodeSummary, Problem } from "@/lib/schemas/fleet";

const NOW = new Date("2026-12-07T00:00:00Z");

export function defaultRules(over: Partial<Record<AlertRuleId, Partial<AlertRuleSettings>>> = {}): Map<AlertRuleId, AlertRuleSettings> {
  return new Map(RULES.map((r) => [r.id, { ...r.defaults, ...over[r.id] }]));
}

export function node(address: string, over: Partial<NodeSummary> = {}, problems: Problem[] = []): NodeSummary {
  return {
    id: `${address}@prod`,
    cluster: "prod",
    address,
    source: "talosconfig",
    hostname: `host-${address}`,
    role: "worker",
    reachable: true,
    stage: "running",
    ready: true,
    unmetConditions: [],
    talosVersion: "v1.11.2",
    failingServices: [],
    lastSeen: NOW.toISOString(),
    lastError: null,
    bootId: null,
    memory: null,
    load1: null,
    problems,
    ...over,
  };
}

