/** A link that keeps the header's selected cluster (`?cluster=`): the sidebar's, the bell's, the alert tabs'. */
export function keepCluster(href: string, cluster: string | null | undefined): string {
  return cluster ? `${href}${href.includes("?") ? "&" : "?"}cluster=${encodeURIComponent(cluster)}` : href;
}
