import { ApiError } from "@/lib/client/api";
import { invalidConfigDetailsSchema } from "@/lib/schemas/configs";

/** An API failure as the operator should read it: what happened and what to do. */
export interface ProblemText {
  title: string;
  detail: string;
  /** Issues from the local validator (a 422), as "path: message" lines. */
  lines: string[];
}

/** Words for a failed preflight, apply or rollback on `node` (its human label). */
export function describeFailure(error: unknown, node: string, action: string): ProblemText {
  if (!(error instanceof ApiError)) return { title: `Could not ${action} ${node}`, detail: error instanceof Error ? error.message : String(error), lines: [] };
  switch (error.code) {
    case "conflict":
      return {
        title: `Another apply to ${node} is in flight`,
        detail: `${error.message} Nothing was queued: wait for it to finish, then run the preflight again.`,
        lines: [],
      };
    case "invalid_config": {
      const details = invalidConfigDetailsSchema.safeParse(error.details);
      const lines = details.success
        ? [
            ...(details.data.issues ?? []).map((i) => `Line ${i.line}: ${i.path.length ? `${i.path.join(".")}: ` : ""}${i.message}`),
            ...(details.data.unresolved ?? []).map((p) => `${p}: the redacted secret could not be filled in from the node; type the real value.`),
          ]
        : [];
      return { title: `${node} refused this config`, detail: error.message, lines };
    }
    case "node_unreachable":
      return { title: `${node} cannot be reached`, detail: `${error.message} Nothing was changed.`, lines: [] };
    case "node_timeout":
      return { title: `${node} did not answer in time`, detail: `${error.message} Check the node's state before trying again.`, lines: [] };
    case "forbidden":
      return { title: `Not allowed to ${action} ${node}`, detail: `${error.message} Applying a config needs the talosconfig's os:admin role.`, lines: [] };
    case "network":
      return { title: "Minos did not answer", detail: error.message, lines: [] };
    default:
      return { title: `Could not ${action} ${node}`, detail: error.message, lines: [] };
  }
}
