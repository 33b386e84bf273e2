/**
 * The request header in which the proxy tells a page its own path and query (it removes
 * whatever the browser sent under this name), so a page can send a signed-out visitor to sign
 * in and back. Only ever used as a sign-in redirect's `next`, which is checked again there.
 */
export const PAGE_PATH_HEADER = "x-minos-page-path";
