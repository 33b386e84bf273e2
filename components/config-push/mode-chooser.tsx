"use client";

import { useId } from "react";

import { DEFAULT_TRY_TIMEOUT_SECONDS, type ApplyMode } from "@/lib/schemas/configs";

import { MODE_LABEL, durationWords, modeExplanation } from "./push-model";

/** TRY timeouts offered: long enough to check a change, short enough to recover quickly. */
export const TRY_TIMEOUTS = [60, DEFAULT_TRY_TIMEOUT_SECONDS, 300, 600] as const;

interface ModeChooserProps {
  value: ApplyMode;
  onChange: (mode: ApplyMode) => void;
  modes: readonly ApplyMode[];
  /** Whether the node's Talos version still takes `reboot` (Talos 1.13 and older). */
  rebootAvailable: boolean;
  tryTimeoutSeconds: number;
  onTryTimeoutChange?: (seconds: number) => void;
  disabled?: boolean;
}

/** The apply modes as radio buttons, each with what it does in words beside it. */
export function ModeChooser({ value, onChange, modes, rebootAvailable, tryTimeoutSeconds, onTryTimeoutChange, disabled }: ModeChooserProps) {
  const name = useId();
  return (
    <fieldset className="space-y-1" disabled={disabled}>
      <legend className="mb-1 text-sm font-semibold">How to apply</legend>
      {modes.map((mode) => {
        const unavailable = mode === "reboot" && !rebootAvailable;
        const id = `${name}-${mode}`;
        return (
          <div key={mode} className={`flex items-start gap-2 rounded-md px-2 py-1.5 ${value === mode ? "bg-accent/10" : ""} ${unavailable ? "opacity-60" : ""}`}>
            <input
              id={id}
              type="radio"
              name={name}
              value={mode}
              checked={value === mode}
              disabled={unavailable}
              onChange={() => onChange(mode)}
              aria-describedby={`${id}-desc`}
              className="mt-1 accent-accent"
            />
            <div className="min-w-0 text-sm">
              <label htmlFor={id} className="font-medium">
                {MODE_LABEL[mode]}
              </label>
              <p id={`${id}-desc`} className="text-fg-muted">
                {unavailable ? "Not available: Talos 1.14 and later refuse reboot mode outside maintenance. Use Auto or Staged and reboot the node afterwards." : modeExplanation(mode, tryTimeoutSeconds)}
              </p>
              {mode === "try" && value === "try" && onTryTimeoutChange ? (
                <label className="mt-1 flex items-center gap-2 text-fg-muted">
                  Revert after
                  <select
                    value={tryTimeoutSeconds}
                    onChange={(e) => onTryTimeoutChange(Number(e.target.value))}
                    className="h-7 rounded border border-border bg-surface px-1 text-sm text-fg"
                  >
                    {TRY_TIMEOUTS.map((s) => (
                      <option key={s} value={s}>
                        {durationWords(s)}
                      </option>
                    ))}
                  </select>
                </label>
              ) : null}
            </div>
          </div>
        );
      })}
    </fieldset>
  );
}
