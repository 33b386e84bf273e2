import { linkPreviewBodySchema } from "@/lib/schemas/auth";
import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { previewLink } from "@/lib/server/auth/links";
import { route } from "@/lib/server/http/route";

// POST /api/auth/links/preview – what a first-start link or invitation grants, before it is used
export const POST = route({ role: "public", rateLimit: "signIn", body: linkPreviewBodySchema, maxBodyBytes: 4096 }, ({ body }) => {
  const { db, now } = defaultAuthDeps();
  return previewLink(db, body.token, now);
});
