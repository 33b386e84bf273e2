import { AppError } from "@/lib/server/platform/errors";
import { route } from "@/lib/server/http/route";

// ANY /api/* that matches no route – the error envelope instead of Next's HTML 404 page
const notFound = route({ role: "public" }, ({ request }) => {
  throw new AppError("not_found", `No API route ${request.method} ${new URL(request.url).pathname}`);
});

export { notFound as DELETE, notFound as GET, notFound as PATCH, notFound as POST, notFound as PUT };
