import { configTemplateQuerySchema } from "@/lib/schemas/node-config";
import { generateConfigTemplate } from "@/lib/server/configs/template";
import { route } from "@/lib/server/http/route";

// GET /api/config/template – a new config for a role, with fresh key material
export const GET = route({ role: "viewer", rateLimit: "template", query: configTemplateQuerySchema }, ({ query }) => generateConfigTemplate(query));
