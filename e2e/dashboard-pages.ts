/**
 * The dashboard's pages that need no ID (app/(dashboard)/**\/page.tsx without a [param]), for the
 * specs that visit every page: a11y.spec (axe) and mobile.spec (390 px). A new page goes here once.
 */
export const staticPages = [
  "/",
  "/nodes",
  "/clusters",
  "/config",
  "/config/history",
  "/config/rollouts",
  "/upgrades",
  "/kubernetes-upgrades",
  "/bulk",
  "/certificates",
  "/backups",
  "/ca-rotations",
  "/audit",
  "/access",
  "/alerts",
  "/alerts/rules",
  "/alerts/channels",
  "/alerts/silences",
  "/alerts/deliveries",
];
