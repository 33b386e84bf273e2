/**
 * A past time relative to `now`, for tables and status lines: "just now", "42 s ago",
 * "5 min ago", "3 h ago", "2 d ago". The one relative-time formatter of the UI; `now` is passed
 * in (see lib/client/use-now.ts) so the server's HTML and the first browser render can agree.
 * A time in the future (clock skew between server and browser) reads "just now".
 */
export function formatAgo(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 5) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** "2026-12-06 18:02:09 UTC". */
export function formatUtc(iso: string): string {
  return `${iso.slice(0, 19).replace("T", " ")} UTC`;
}
