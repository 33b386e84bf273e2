/**
 * An error tied to a place in a source text (a patch, a secrets bundle, a config): the CLI prints
 * it as `FILE:LINE:COL: error: message`, the editor as a marker. Lines and columns are 1-based.
 */
export interface SourcePlace {
  /** The file or patch name as the user gave it (`@patch.yaml`, `inline patch 2`, a path). */
  source?: string;
  line?: number;
  column?: number;
  /** The config path the error is about, e.g. `machine.network.interfaces[0]`. */
  path?: string;
}

export class SourceError extends Error {
  readonly place: SourcePlace;
  constructor(message: string, place: SourcePlace = {}) {
    super(message);
    this.name = "SourceError";
    this.place = place;
  }
}

/** `FILE:LINE:COL: error: message (at path)`, the compilers' format that editors and CI link. */
export function formatSourceError(e: SourceError, fallbackSource = "<input>"): string {
  const { source = fallbackSource, line, column, path } = e.place;
  const where = line === undefined ? source : `${source}:${line}:${column ?? 1}`;
  return `${where}: error: ${e.message}${path ? ` (at ${path})` : ""}`;
}
