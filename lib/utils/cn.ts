import { clsx, type ClassValue } from "clsx";

/**
 * Joins class names. It does not resolve conflicting Tailwind utilities (tailwind-merge did, for
 * 7 KiB on every page): components take props (`size`, `tone`, `plain`) for what callers change,
 * and test/architecture/class-overrides.test.ts fails when a className would override a class.
 */
export function cn(...inputs: ClassValue[]): string {
  return clsx(inputs);
}
