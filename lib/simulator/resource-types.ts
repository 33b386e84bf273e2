/** The shape of a simulated COSI resource type, shared by resources.ts and the types other files register there. */
import type { SimNode } from "./node-state";

export interface RenderedResource {
  id: string;
  proto: Buffer;
  yaml: string;
  owner: string;
  annotations?: Record<string, string>;
}

export interface ResourceTypeDef {
  type: string;
  namespace: string;
  displayType: string;
  aliases: string[];
  sensitive: boolean;
  /** Which nodes have the type (e.g. BootIDs from 1.14); default all. */
  availableOn?(node: SimNode): boolean;
  /** Renders the node's resources of this type; absent = a known type the simulator keeps empty. */
  render?(node: SimNode): RenderedResource[];
}
