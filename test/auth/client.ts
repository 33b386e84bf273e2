import "server-only";

import { markClientAddressStamping, stampClientAddress, type ProxyMatcher } from "@/lib/net/client-address";

/**
 * A request as a route handler gets it from Minos's server (`scripts/serve.ts`): the private
 * client-address header overwritten from `peer` (the socket) and, when `peer` is trusted,
 * X-Forwarded-For, by the server's own `stampClientAddress`.
 */
export function viaServer(request: Request, peer: string, isTrusted: ProxyMatcher = () => false): Request {
  markClientAddressStamping();
  const headers: Record<string, string | string[] | undefined> = Object.fromEntries(request.headers);
  stampClientAddress({ headers, socket: { remoteAddress: peer } }, isTrusted);
  return new Request(request, { headers: headers as Record<string, string> });
}
