"use client";

import { AlertTriangle, Download, Pause, Play, RotateCw, Search, X } from "lucide-react";
import { useId, useState } from "react";

import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import { findMatches } from "@/lib/client/logs";
import { KERNEL_LOG } from "@/lib/schemas/logs";

import { LogLines } from "./log-lines";
import { useLogStream } from "./use-log-stream";

export const TAIL_CHOICES = [100, 200, 1_000, 10_000, 100_000] as const;

export interface PaneSpec {
  key: number;
  source: string;
}

interface LogPaneProps {
  node: string;
  /** For file names: the node's hostname or address. */
  nodeName: string;
  pane: PaneSpec;
  sources: readonly string[];
  onSourceChange(source: string): void;
  onClose?: () => void;
}

const STATE_TEXT = { connecting: "Connecting…", live: "Streaming", ended: "Stream ended", error: "Failed" } as const;

/** One log (a service's or the kernel's) with its own controls: follow, pause, tail, search, wrap, download. */
export function LogPane({ node, nodeName, pane, sources, onSourceChange, onClose }: LogPaneProps) {
  const id = useId();
  const [tail, setTail] = useState<number>(200);
  const [follow, setFollow] = useState(true);
  // Paused: the view holds still (lines keep arriving into the buffer) up to this stream position.
  const [pausedAt, setPausedAt] = useState<number | null>(null);
  const [search, setSearch] = useState("");
  const [wrap, setWrap] = useState(false);
  const [reveal, setReveal] = useState<{ index: number; nonce: number } | null>(null);
  const stream = useLogStream(node, pane.source, tail, follow);
  const { buffer } = stream;

  const shown = pausedAt === null ? buffer.length : Math.max(0, Math.min(buffer.length, pausedAt - buffer.dropped));
  const pause = () => setPausedAt((p) => p ?? buffer.dropped + buffer.length);
  const isKernel = pane.source === KERNEL_LOG;

  const nextMatch = () => {
    if (!search) return;
    const from = reveal ? reveal.index + 1 : 0;
    for (let k = 0; k < shown; k++) {
      const i = (from + k) % shown;
      if (findMatches(buffer.at(i), search).length > 0) {
        pause();
        setReveal({ index: i, nonce: Date.now() });
        return;
      }
    }
    setReveal(null);
  };

  const download = () => {
    const url = URL.createObjectURL(new Blob([buffer.text()], { type: "text/plain;charset=utf-8" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `${nodeName}-${pane.source}.log`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const label = `${pane.source === KERNEL_LOG ? "Kernel log" : `Log of ${pane.source}`}`;
  return (
    <section aria-label={label} className="flex min-h-0 min-w-0 flex-1 flex-col overflow-hidden rounded-lg border border-border bg-surface">
      <div className="flex flex-wrap items-center gap-2 border-b border-border bg-surface-muted px-2 py-2">
        <Select aria-label="Log source" value={pane.source} onChange={(e) => {
            setPausedAt(null);
            setReveal(null);
            onSourceChange(e.target.value);
          }} className="h-8 max-w-44">
          {sources.map((s) => (
            <option key={s} value={s}>
              {s === KERNEL_LOG ? "kernel (dmesg)" : s}
            </option>
          ))}
        </Select>
        <Select aria-label="Lines from the end" value={tail} disabled={isKernel} onChange={(e) => {
            setPausedAt(null);
            setTail(Number(e.target.value));
          }} className="h-8" title={isKernel ? "The kernel log comes whole" : undefined}>
          {TAIL_CHOICES.map((n) => (
            <option key={n} value={n}>
              last {n.toLocaleString("en")}
            </option>
          ))}
        </Select>
        <label className="flex items-center gap-1 text-sm">
          <input type="checkbox" checked={follow} onChange={(e) => {
              setPausedAt(null);
              setFollow(e.target.checked);
            }} />
          Follow
        </label>
        {pausedAt === null ? (
          <Button size="sm" variant="ghost" onClick={pause} aria-label="Pause">
            <Pause aria-hidden className="size-4" /> Pause
          </Button>
        ) : (
          <Button size="sm" variant="ghost" onClick={() => {
              setPausedAt(null);
              setReveal(null);
            }}
            aria-label="Resume">
            <Play aria-hidden className="size-4" /> Resume
          </Button>
        )}
        <div className="flex items-center gap-1">
          <label htmlFor={`${id}-search`} className="sr-only">
            Search this log
          </label>
          <Input
            id={`${id}-search`}
            type="search"
            placeholder="Search"
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              setReveal(null);
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter") nextMatch();
            }}
            className="h-8 w-36"
          />
          <Button size="sm" variant="ghost" onClick={nextMatch} disabled={!search} aria-label="Next match">
            <Search aria-hidden className="size-4" />
          </Button>
        </div>
        <label className="flex items-center gap-1 text-sm">
          <input type="checkbox" checked={wrap} onChange={(e) => setWrap(e.target.checked)} />
          Wrap
        </label>
        <Button size="sm" variant="ghost" onClick={download} disabled={buffer.length === 0} aria-label="Download">
          <Download aria-hidden className="size-4" />
        </Button>
        {onClose ? (
          <Button size="sm" variant="ghost" onClick={onClose} aria-label="Close pane" className="ml-auto">
            <X aria-hidden className="size-4" />
          </Button>
        ) : null}
      </div>
      {stream.state === "error" ? (
        <div role="alert" className="flex items-start gap-2 border-b border-danger/30 bg-danger/10 px-3 py-2 text-sm text-danger">
          <AlertTriangle aria-hidden className="mt-0.5 size-4 shrink-0" />
          <span className="flex-1">{stream.error}</span>
          <Button size="sm" variant="secondary" onClick={stream.restart}>
            <RotateCw aria-hidden className="size-4" /> Retry
          </Button>
        </div>
      ) : null}
      <div className="min-h-0 flex-1">
        {shown === 0 && stream.state !== "error" ? (
          <p role="status" className="px-3 py-2 text-sm text-fg-muted">
            {stream.state === "connecting" ? "Connecting…" : stream.state === "ended" ? "No lines." : "Waiting for lines…"}
          </p>
        ) : (
          <LogLines
            label={label}
            buffer={buffer}
            count={shown}
            version={stream.version}
            search={search}
            wrap={wrap}
            stickToBottom={pausedAt === null && reveal === null}
            reveal={reveal}
            onUserScrollUp={pause}
          />
        )}
      </div>
      <div className="flex items-center gap-3 border-t border-border px-3 py-1 text-xs text-fg-muted">
        <span data-testid="log-state">{pausedAt !== null && stream.state === "live" ? "Paused" : STATE_TEXT[stream.state]}</span>
        <span data-testid="log-count">{shown.toLocaleString("en")} lines</span>
        {buffer.dropped > 0 ? <span>{buffer.dropped.toLocaleString("en")} older lines dropped</span> : null}
        {pausedAt !== null && buffer.length > shown ? <span>{(buffer.length - shown).toLocaleString("en")} new while paused</span> : null}
      </div>
    </section>
  );
}
