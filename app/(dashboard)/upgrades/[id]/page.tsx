import { notFound } from "next/navigation";

// No upgrade plans exist until the upgrade runner lands, so every id is unknown.
export default function UpgradePage() {
  notFound();
}
