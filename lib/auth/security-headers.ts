/**
 * Security headers for every response. Without per-request nonces (which would force every page
 * to render dynamically and break prerendered shells), Next's inline bootstrap scripts need
 * 'unsafe-inline'; the value of this policy is in what it shuts: framing, plugins, foreign
 * scripts, form posts and connections to other origins, and <base> hijacking. Monaco needs
 * blob: workers and inline styles; monaco-yaml's schema validator compiles with `new Function`
 * inside its worker, which the worker's own policy governs.
 */
export function contentSecurityPolicy({ dev }: { dev: boolean }): string {
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    // React in development evaluates code for its error overlay and fast refresh.
    "script-src": ["'self'", "'unsafe-inline'", ...(dev ? ["'unsafe-eval'"] : [])],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "worker-src": ["'self'", "blob:"],
    "connect-src": ["'self'", ...(dev ? ["ws:", "wss:"] : [])],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    // OIDC sign-in leaves through a redirect, not a form post, so forms stay on Minos.
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
  };
  return Object.entries(directives)
    .map(([k, v]) => `${k} ${v.join(" ")}`)
    .join("; ");
}

/** The headers themselves, in next.config.ts `headers()` form. */
export function securityHeaders({ dev }: { dev: boolean }): { key: string; value: string }[] {
  return [
    { key: "Content-Security-Policy", value: contentSecurityPolicy({ dev }) },
    { key: "X-Frame-Options", value: "DENY" },
    { key: "X-Content-Type-Options", value: "nosniff" },
    // One-time links carry their secret in the fragment, which browsers never send; no-referrer
    // keeps even the path of Minos pages from leaking to links an operator follows.
    { key: "Referrer-Policy", value: "no-referrer" },
    { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
    { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  ];
}
