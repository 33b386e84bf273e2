/**
 * The operator's unsaved manifest edits, kept in this tab's sessionStorage per cluster, so a
 * reload (or a crash of the tab's renderer) never wipes them. A draft remembers the revision it
 * was based on: it comes back only on top of that revision, never silently over a newer one.
 */
export interface ManifestDraft {
  text: string;
  baseRevision: number;
}

const PREFIX = "minos.manifest.draft:";

export function readManifestDraft(cluster: string): ManifestDraft | null {
  try {
    const raw = window.sessionStorage.getItem(PREFIX + cluster);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<ManifestDraft>;
    return typeof value.text === "string" && typeof value.baseRevision === "number" ? { text: value.text, baseRevision: value.baseRevision } : null;
  } catch {
    // Storage disabled or a corrupt entry: as if nothing was kept.
    return null;
  }
}

export function writeManifestDraft(cluster: string, draft: ManifestDraft | null): void {
  try {
    if (draft) window.sessionStorage.setItem(PREFIX + cluster, JSON.stringify(draft));
    else window.sessionStorage.removeItem(PREFIX + cluster);
  } catch {
    // Quota or disabled storage: editing still works, only reload-safety is lost.
  }
}

/** What to open with: the draft when it edits the revision being opened, and what to tell the operator. */
export function openingText(initial: { yaml: string; revision: number }, draft: ManifestDraft | null): { text: string; notice: string | null } {
  if (!draft || draft.text === initial.yaml) return { text: initial.yaml, notice: null };
  if (draft.baseRevision === initial.revision) return { text: draft.text, notice: `Your unsaved edits in this tab were restored (on top of revision #${initial.revision}). Discard them to see the saved revision.` };
  return {
    text: initial.yaml,
    notice: `Your unsaved edits in this tab were based on revision #${draft.baseRevision}, but the latest is #${initial.revision}: they were not restored over it.`,
  };
}
