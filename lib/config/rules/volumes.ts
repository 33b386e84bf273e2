/**
 * Size rules of volume documents: block.ProvisioningSpec.Validate (volume_config.go) as each
 * kind calls it (required, sizeSupported), and LVMLogicalVolumeConfig's own size checks
 * (storage/lvm_logical_volume_config.go), v1.10.9 … v1.14.0-rc.1. Whole configs only: Talos
 * never validates a patch.
 */
import { byteSizeDialect, sizeValue, volumeSizeDialect } from "../schema/sizes";
import { minorBefore } from "../schema/versions";
import type { Obj, Rule, RuleContext, RuleIssue } from "./types";
import { error, obj, str } from "./util";

/** A size field as Talos holds it: absent (IsZero) or its value. */
function sizeAt(p: Obj, key: "minSize" | "maxSize", ctx: RuleContext) {
  const raw = p[key];
  if (raw === undefined || raw === null) return null;
  const text = str(raw);
  if (text === undefined || text === "") return null;
  return sizeValue(text, key === "minSize" ? byteSizeDialect(ctx.version) : volumeSizeDialect(ctx.version));
}

function provisioning(doc: Obj, ctx: RuleContext, required: boolean, sizeSupported: boolean): RuleIssue[] {
  const p = obj(doc.provisioning) ?? {};
  const out: RuleIssue[] = [];
  const match = str(obj(p.diskSelector)?.match) ?? "";
  if (match === "" && required) out.push(error(["provisioning"], "disk selector is required", "key"));
  const min = sizeAt(p, "minSize", ctx);
  const max = sizeAt(p, "maxSize", ctx);
  if (!sizeSupported) {
    const grow = p.grow !== undefined && p.grow !== null;
    if (min || max || grow) out.push(error(["provisioning"], "min size, max size and grow are not supported", "key"));
    return out;
  }
  if (min && max && !max.relative && !max.negative) {
    if (min.value > max.value) out.push(error(["provisioning", "minSize"], "min size is greater than max size"));
  } else if (required && !min && !max) {
    out.push(error(["provisioning"], "min size or max size is required", "key"));
  }
  if (min?.negative) out.push(error(["provisioning", "minSize"], "min size cannot be negative"));
  return out;
}

/** VolumeConfig: sizes optional (STATE, EPHEMERAL, IMAGECACHE keep their defaults). */
export const volumeConfig: Rule = (doc, ctx) => (ctx.patch ? [] : provisioning(doc, ctx, false, true));

/** RawVolumeConfig and SwapVolumeConfig: a disk selector and a size are required. */
export const sizedVolume: Rule = (doc, ctx) => (ctx.patch ? [] : provisioning(doc, ctx, true, true));

/** UserVolumeConfig: by volumeType (1.12+); partitions need sizes, whole disks take none. */
export const userVolume: Rule = (doc, ctx) => {
  if (ctx.patch) return [];
  if (minorBefore(ctx.version, "1.12")) return provisioning(doc, ctx, true, true);
  const type = (str(doc.volumeType) ?? "partition").toLowerCase();
  if (type === "partition") return provisioning(doc, ctx, true, true);
  if (type === "disk") return provisioning(doc, ctx, true, false);
  if (type === "directory" && obj(doc.provisioning) && Object.keys(obj(doc.provisioning)!).length > 0) {
    return [error(["provisioning"], "provisioning spec is invalid for volumeType directory", "key")];
  }
  return [];
};

/** LVMLogicalVolumeConfig (1.14): maxSize required and not negative; minSize ≤ an absolute maxSize. */
export const lvmLogicalVolume: Rule = (doc, ctx) => {
  if (ctx.patch) return [];
  const p = obj(doc.provisioning) ?? {};
  const out: RuleIssue[] = [];
  const min = sizeAt(p, "minSize", ctx);
  const max = sizeAt(p, "maxSize", ctx);
  if (!max) out.push(error(["provisioning"], "provisioning.maxSize is required", "key"));
  if (max?.negative) out.push(error(["provisioning", "maxSize"], "provisioning.maxSize must not be negative"));
  // Talos compares with an absent maxSize too (its value is 0); "required" is reported as well.
  if (min && !max?.relative && min.value > (max?.value ?? 0)) {
    out.push(error(["provisioning", "minSize"], "provisioning.minSize must not exceed provisioning.maxSize"));
  }
  return out;
};
