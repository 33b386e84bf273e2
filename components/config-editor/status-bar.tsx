"use client";

import { CircleCheck, CircleX, LoaderCircle, TriangleAlert } from "lucide-react";
import { useEffect, useRef } from "react";

import type { LiveValue } from "@/lib/client/live-value";
import { TALOS_MINORS, type TalosMinor } from "@/lib/config/types";

import { useShownAfter } from "./use-shown-after";

/** Until then a check in progress keeps showing the last one's time (see useShownAfter). */
const CHECKING_SHOWN_AFTER_MS = 400;

interface StatusBarProps {
  errors: number;
  warnings: number;
  /** The text changed since the last validation. */
  pending: boolean;
  failed: boolean;
  talosVersion: TalosMinor;
  onTalosVersionChange: (version: TalosMinor) => void;
  /** Where the Talos version came from, e.g. "from the node". */
  versionSource?: string;
  validationMs: number | null;
  validationWhere: string | null;
  cursor: LiveValue<{ line: number; column: number } | null>;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** One line under the editor: the verdict (icon and words), counts, timing and the Talos version. */
export function StatusBar(props: StatusBarProps) {
  const { errors, warnings, pending, failed, talosVersion, onTalosVersionChange, versionSource, validationMs, validationWhere, cursor } = props;
  const checking = useShownAfter(pending && validationMs !== null, CHECKING_SHOWN_AFTER_MS);
  let verdict;
  if (failed) {
    verdict = (
      <span className="flex items-center gap-1.5 font-medium text-danger">
        <CircleX aria-hidden className="size-4" /> Not checked
      </span>
    );
  } else if (validationMs === null) {
    verdict = (
      <span className="flex items-center gap-1.5 font-medium text-fg-muted">
        <LoaderCircle aria-hidden className="size-4 animate-spin motion-reduce:animate-none" /> Checking…
      </span>
    );
  } else if (errors > 0) {
    verdict = (
      <span className="flex items-center gap-1.5 font-medium text-danger">
        <CircleX aria-hidden className="size-4" /> Invalid
      </span>
    );
  } else {
    verdict = (
      <span className="flex items-center gap-1.5 font-medium text-ok">
        <CircleCheck aria-hidden className="size-4" /> Valid
      </span>
    );
  }
  return (
    <div className="flex flex-wrap items-center gap-x-5 gap-y-1 border-t border-border bg-surface-muted px-3 py-1.5 text-xs">
      <div role="status" aria-label="Validation status" className="flex items-center gap-x-4">
        {verdict}
        <span className="flex items-center gap-1 text-fg">
          <CircleX aria-hidden className={`size-3.5 ${errors ? "text-danger" : "text-fg-muted"}`} />
          {plural(errors, "error")}
        </span>
        <span className="flex items-center gap-1 text-fg">
          <TriangleAlert aria-hidden className={`size-3.5 ${warnings ? "text-warn" : "text-fg-muted"}`} />
          {plural(warnings, "warning")}
        </span>
      </div>
      {/* Each validation changes this text: laid out alone (see Contained), not with the page. */}
      <Contained className="flex w-[30ch] items-center gap-1 whitespace-nowrap text-fg-muted" data-validation-ms={validationMs ?? undefined}>
        {checking ? (
          <>
            <LoaderCircle aria-hidden className="size-3.5 animate-spin motion-reduce:animate-none" /> Checking…
          </>
        ) : validationMs !== null ? (
          `Checked in ${validationMs < 1 ? "<1" : Math.round(validationMs)} ms${validationWhere ? ` (${validationWhere})` : ""}`
        ) : null}
      </Contained>
      <span className="ml-auto flex items-center gap-4">
        <CursorPosition cursor={cursor} />
        <label className="flex items-center gap-1.5">
          <span className="text-fg-muted">Talos</span>
          <select
            value={talosVersion}
            onChange={(e) => onTalosVersionChange(e.target.value as TalosMinor)}
            className="h-6 rounded border border-border bg-surface px-1 text-xs text-fg"
            aria-label="Talos version"
            title={versionSource ? `Validating against Talos ${talosVersion} (${versionSource})` : undefined}
          >
            {[...TALOS_MINORS].reverse().map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
          {versionSource ? <span className="text-fg-muted">{versionSource}</span> : null}
        </label>
      </span>
    </div>
  );
}

/**
 * The cursor moves with every key: this text follows it by itself, outside React, so that a
 * keystroke renders nothing but the editor.
 */
function CursorPosition({ cursor }: { cursor: StatusBarProps["cursor"] }) {
  const ref = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    const show = () => {
      const at = cursor.get();
      if (ref.current) ref.current.textContent = at ? `Ln ${at.line}, Col ${at.column}` : "";
    };
    show();
    return cursor.subscribe(show);
  }, [cursor]);
  // 18ch holds "Ln 99999, Col 9999": a clipped digit would point at another place.
  return <Contained ref={ref} className="block w-[18ch] text-right font-mono text-fg-muted" />;
}

/**
 * A line of status text that changes while the operator types, in a box of its own size
 * (`contain: strict`, one line high): Blink lays it out alone instead of with the whole page,
 * which cost about 1 ms a key (up to 3). Blink never lays out a flex item alone: hence the wrapper.
 */
function Contained({ className, ref, ...rest }: React.ComponentProps<"span">) {
  return (
    <span className="block">
      <span ref={ref} className={`h-4 overflow-hidden leading-4 contain-strict ${className ?? ""}`} {...rest} />
    </span>
  );
}
