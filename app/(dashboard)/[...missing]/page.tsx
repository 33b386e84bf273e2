import { notFound } from "next/navigation";

// Unknown addresses render the not-found page inside the dashboard shell, not a bare one.
export default function Missing() {
  notFound();
}
