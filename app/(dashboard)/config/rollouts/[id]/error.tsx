// Not a client module itself: a re-export of the one client error boundary, so every segment's
// boundary is the same client reference (one chunk) rather than a chunk per segment, each of
// which a prefetched link would download.
export { RouteError as default } from "@/components/shell/route-states";
