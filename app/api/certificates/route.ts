import { certificatesQuerySchema } from "@/lib/schemas/certs";
import { listCertificates } from "@/lib/server/certs/service";
import { route } from "@/lib/server/http/route";

// GET /api/certificates – the certificate inventory, most urgent first (?cluster=&kind=&tier=, ?refresh=1 rescans)
export const GET = route({ role: "viewer", query: certificatesQuerySchema }, ({ query }) => listCertificates(query));
