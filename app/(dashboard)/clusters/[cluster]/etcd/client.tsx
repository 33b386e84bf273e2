"use client";

import { EtcdPanel } from "@/components/etcd/etcd-panel";

export function EtcdPageClient({ cluster }: { cluster: string }) {
  return <EtcdPanel cluster={cluster} />;
}
