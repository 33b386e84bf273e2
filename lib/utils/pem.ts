/**
 * PEM blocks found in linear time. The obvious pattern,
 * `/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g`, searches the rest of the text for
 * an END from every BEGIN, so many BEGINs without an END cost quadratic time; here every END
 * marker is indexed once by its label and each BEGIN takes the first one after it.
 * Isomorphic: the config validator runs in the browser too.
 */

/** One block: its label ("CERTIFICATE", "ED25519 PRIVATE KEY"), where it starts and ends, and its body. */
export interface PemSpan {
  label: string;
  /** Index of "-----BEGIN". */
  start: number;
  /** Index just past the END line's closing dashes. */
  end: number;
  /** The text between the BEGIN and END lines. */
  body: string;
}

const BEGIN = "-----BEGIN ";
const END = "-----END ";
const DASHES = "-----";
const isLabelChar = (c: string | undefined) => c !== undefined && ((c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c === " ");

/** End of the label (a run of [A-Z0-9 ]) starting at `i`; a label is followed by "-----". */
function labelEnd(text: string, i: number): number {
  while (isLabelChar(text[i])) i++;
  return i;
}

/** Every PEM block in `text`, in order; text between blocks is ignored. */
export function pemSpans(text: string): PemSpan[] {
  // Every "-----END <label>-----" (they may overlap), by label, in order.
  const ends = new Map<string, { at: number[]; next: number }>();
  for (let i = text.indexOf(END); i >= 0; i = text.indexOf(END, i + 1)) {
    const from = i + END.length;
    const to = labelEnd(text, from);
    if (to === from || !text.startsWith(DASHES, to)) continue;
    const label = text.slice(from, to);
    const list = ends.get(label) ?? { at: [], next: 0 };
    list.at.push(i);
    ends.set(label, list);
  }
  const spans: PemSpan[] = [];
  let pos = 0;
  for (let b = text.indexOf(BEGIN, pos); b >= 0; b = text.indexOf(BEGIN, pos)) {
    const from = b + BEGIN.length;
    const to = labelEnd(text, from);
    const list = to > from && text.startsWith(DASHES, to) ? ends.get(text.slice(from, to)) : undefined;
    const bodyStart = to + DASHES.length;
    // Searches only move forward, so each label's list is walked once in all.
    while (list && list.next < list.at.length && list.at[list.next]! < bodyStart) list.next++;
    const endAt = list?.at[list.next];
    if (endAt === undefined) {
      pos = b + 1;
      continue;
    }
    const end = endAt + END.length + (to - from) + DASHES.length;
    spans.push({ label: text.slice(from, to), start: b, end, body: text.slice(bodyStart, endAt) });
    pos = end;
  }
  return spans;
}
