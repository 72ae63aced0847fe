// The id scan: tokenises bytes into maximal runs of the characters customer ids
// are made of and looks each run up in one Set of every input id — one pass per
// file whatever the number of ids, instead of one regular expression per id.
// Case-insensitive (slugs and hex digests lower-case things). An id inside a
// longer run ("xC0001", "C0001-2" when "-" is an id character) is found by also
// looking up every substring of an id's length, for ids of at least
// MIN_EMBEDDED characters only: shorter ids (say 6 digits) would match inside any
// long number, which is noise rather than a leak.
import { idTag, type Finding } from './report.ts';
import type { Part } from './extract.ts';

export const MIN_EMBEDDED = 8;

export interface IdIndex {
  ids: Set<string>;
  /** Byte → 1 when it occurs in some id (after ASCII lower-casing). */
  cls: Uint8Array;
  /** Id lengths in characters, for the embedded-id search. */
  lengths: number[];
  /** Byte lengths of the shortest and longest id, for the run filter. */
  minLen: number;
  maxLen: number;
  ascii: boolean;
}

export function idIndex(ids: Set<string>): IdIndex {
  const cls = new Uint8Array(256);
  const lengths = new Set<number>();
  const bytes = new Set<number>();
  let ascii = true;
  for (const id of ids) {
    const b = Buffer.from(id, 'utf8');
    if (b.length !== id.length) ascii = false;
    lengths.add(id.length);
    bytes.add(b.length);
    for (const x of b) cls[x] = 1;
  }
  // Upper-case ASCII letters are read as their lower-case form.
  for (let c = 65; c <= 90; c++) if (cls[c + 32]) cls[c] = 1;
  const bl = [...bytes].sort((a, b) => a - b);
  return { ids, cls, lengths: [...lengths].sort((a, b) => a - b), minLen: bl[0] ?? 0, maxLen: bl[bl.length - 1] ?? 0, ascii };
}

/** Ids found in one buffer (deduplicated), as the ids themselves; the caller reports only their tags. */
export function idsIn(index: IdIndex, buf: Buffer): Set<string> {
  const found = new Set<string>();
  if (index.ids.size === 0) return found;
  const { cls, minLen, maxLen, ids, lengths } = index;
  const enc = index.ascii ? 'latin1' : 'utf8';
  const n = buf.length;
  let i = 0;
  while (i < n) {
    while (i < n && cls[buf[i]!] === 0) i++;
    const s = i;
    while (i < n && cls[buf[i]!] === 1) i++;
    const len = i - s;
    if (len < minLen) continue;
    if (len <= maxLen) {
      const tok = buf.toString(enc, s, i).toLowerCase();
      if (ids.has(tok)) found.add(tok);
      if (len === minLen) continue;
    }
    if (minLen < MIN_EMBEDDED) continue;
    const run = buf.toString(enc, s, i).toLowerCase();
    for (const L of lengths) for (let k = 0; k + L <= run.length; k++) {
      const sub = run.slice(k, k + L);
      if (ids.has(sub)) found.add(sub);
    }
  }
  return found;
}

export function idFindings(index: IdIndex, file: string, parts: Part[]): Finding[] {
  const out: Finding[] = [];
  for (const p of parts)
    for (const id of idsIn(index, p.bytes))
      out.push({ check: 'ids', kind: 'customer-id', file, location: `${p.part || 'text'}: ${idTag(id)}` });
  return out;
}
