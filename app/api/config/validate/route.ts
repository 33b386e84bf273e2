import { validateConfigBodySchema, VALIDATE_MAX_BODY_BYTES, type ValidateConfigResponse } from "@/lib/schemas/config";
import { route } from "@/lib/server/route";
import { validationPool } from "@/lib/server/validation/pool";

// POST /api/config/validate – validate a machine config (malformed YAML is a 200 with issues;
// a config that overruns the validator's time budget is a 422 too_complex)
export const POST = route(
  { role: "viewer", body: validateConfigBodySchema, maxBodyBytes: VALIDATE_MAX_BODY_BYTES },
  ({ body }): Promise<ValidateConfigResponse> => validationPool().validate(body.yaml, { talosVersion: body.talosVersion, mode: body.mode, patch: body.patch }),
);
