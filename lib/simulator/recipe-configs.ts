/**
 * A simulated cluster's pristine configs, rendered from its recipe (./recipe.ts) with the real
 * generator and patcher. 1,000 nodes stay cheap: one template per role (gen config with
 * placeholders for the address and hostname, then the role's shared patches), filled in by
 * substitution; only the few nodes with a patch of their own go through the patcher again, once.
 */
import { applyPatches, loadPatch } from "../config/patch";
import { buildConfigTemplate, renderNodeConfig } from "../talos/generate/template";
import type { SecretsBundle } from "../talos/secrets/bundle";
import type { NodeRole } from "./node-types";
import { type ClusterRecipe, generateInput, type RecipeNode, selects } from "./recipe";

export class RecipeConfigs {
  private readonly templates = new Map<NodeRole, string>();
  private readonly patched = new Map<string, string>();
  private readonly byHostname: Map<string, RecipeNode>;

  constructor(
    readonly recipe: ClusterRecipe,
    private readonly secrets: SecretsBundle,
  ) {
    this.byHostname = new Map(recipe.nodes.map((n) => [n.hostname, n]));
  }

  /** gen config for the role with placeholders (template.ts), then the patches selecting the role, in order. */
  template(role: NodeRole): string {
    let t = this.templates.get(role);
    if (t === undefined) {
      const input = generateInput(this.recipe, this.secrets);
      const patches = this.recipe.patches.filter((p) => selects(p.selector, { role })).map((p) => loadPatch(p.patch, p.name));
      // The placeholders are plain strings to the patcher: they come out as they went in.
      t = applyPatches(buildConfigTemplate(input, role), patches, { configSource: `${role} template` });
      this.templates.set(role, t);
    }
    return t;
  }

  /** A node's config as generated: its role's template filled in, then its own patch if it has one. */
  pristine(node: { hostname: string; address: string; role: NodeRole }): string {
    const own = this.byHostname.get(node.hostname)?.patch;
    const base = renderNodeConfig(this.template(node.role), node);
    if (own === undefined) return base;
    let out = this.patched.get(node.hostname);
    if (out === undefined) {
      out = applyPatches(base, [loadPatch(own, `${node.hostname} patch`)], { configSource: node.hostname });
      this.patched.set(node.hostname, out);
    }
    return out;
  }
}
