/** Builders shared by the alert engine's tests. */
import { RULES } from "@/lib/alerts/catalog";
import type { AlertRule, AlertRuleId, AlertRuleSettings } from "@/lib/schemas/alerts";
import type { NodeSummary, Problem } from "@/lib/schemas/fleet";

const NOW = new Date("2026-12-07T00:00:00Z");

export function defaultRules(over: Partial<Record<AlertRuleId, Partial<AlertRuleSettings>>> = {}): Map<AlertRuleId, AlertRuleSettings> {
  return new Map(RULES.map((r) => [r.id, { ...r.defaults, ...over[r.id] }]));
}

/** The catalog's rules as the API lists them, with `changes` over some of their defaults. */
export function alertRules(changes: Partial<Record<AlertRuleId, Partial<AlertRuleSettings>>> = {}): AlertRule[] {
  return RULES.map((r) => ({
    ...r.defaults,
    ...changes[r.id],
    params: { ...r.defaults.params, ...changes[r.id]?.params },
    id: r.id,
    name: r.name,
    description: r.description,
    paramSpecs: r.paramSpecs,
    defaults: r.defaults,
    updatedBy: null,
    updatedAt: null,
  }));
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

