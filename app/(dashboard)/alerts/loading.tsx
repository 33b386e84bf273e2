import { PageSkeleton } from "@/components/shell/route-states";

export default function Loading() {
  return <PageSkeleton />;
}
