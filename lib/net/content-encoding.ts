import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Next 16 drops `Content-Encoding` (and `Content-Length`) from a route handler's Response
 * (next/dist/server/send-response.js, FORBIDDEN_HEADERS), so a handler cannot send bytes it
 * compressed itself. Minos's own server (scripts/serve.ts) restores it: a handler names the coding
 * in {@link ENCODING_RESPONSE_HEADER} as well, and the server turns that into Content-Encoding
 * as Next copies the headers, before Next's own gzip looks at the response. The server marks every
 * request with {@link RESTORES_ENCODING_HEADER} (a client's own value is replaced), and handlers
 * compress only when it is there: behind another server the bytes go out as they are.
 */
export const RESTORES_ENCODING_HEADER = "x-minos-restores-encoding";
export const ENCODING_RESPONSE_HEADER = "x-minos-content-encoding";

/** scripts/serve.ts, per request: marks it and makes the response restore Content-Encoding. */
export function restoreContentEncoding(req: IncomingMessage, res: ServerResponse): void {
  req.headers[RESTORES_ENCODING_HEADER] = "1";
  const setHeader = res.setHeader.bind(res);
  const appendHeader = res.appendHeader.bind(res);
  const rename = (name: string) => (name.toLowerCase() === ENCODING_RESPONSE_HEADER ? "content-encoding" : name);
  res.setHeader = (name: string, value: number | string | readonly string[]) => setHeader(rename(name), value);
  res.appendHeader = (name: string, value: string | readonly string[]) => appendHeader(rename(name), value);
}
