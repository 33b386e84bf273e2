import { validateConfig } from "@/lib/config/validate";
import { validateConfigBodySchema, VALIDATE_MAX_BODY_BYTES, type ValidateConfigResponse } from "@/lib/schemas/config";
import { route } from "@/lib/server/http/route";

// POST /api/config/validate – validate a machine config (malformed YAML is a 200 with issues)
export const POST = route(
  { role: "viewer", body: validateConfigBodySchema, maxBodyBytes: VALIDATE_MAX_BODY_BYTES },
  ({ body }): ValidateConfigResponse => validateConfig(body.yaml, body),
);
