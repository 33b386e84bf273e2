import { TALOS_MINORS, type TalosMinor } from "@/lib/config/types";

/** Orders two Talos minors ("1.9" < "1.10"). */
export function compareMinor(a: TalosMinor | string, b: TalosMinor | string): number {
  const ia = TALOS_MINORS.indexOf(a as TalosMinor);
  const ib = TALOS_MINORS.indexOf(b as TalosMinor);
  if (ia >= 0 && ib >= 0) return ia - ib;
  const [amaj, amin] = a.split(".").map(Number);
  const [bmaj, bmin] = b.split(".").map(Number);
  return (amaj! - bmaj!) * 1000 + (amin! - bmin!);
}
