// Byte-level signs that a CSV is damaged or mixes encodings, which no row check
// could see: a NUL byte, or UTF-8 text next to text that is not UTF-8. Pure
// functions over bytes, so encoding.ts can run them on every piece it reads
// (and hand utf8Stretch to its decoding threads as source text).

/**
 * Multi-byte UTF-8 characters that show a stretch of text is UTF-8 and not
 * GBK/GB18030 read by chance. A GB18030 character happens to form a valid
 * UTF-8 sequence with odds of about 1 in 7, so a run of N of them by chance
 * has odds of about 7^-N: 8 in a row at the start of a file (once per file,
 * 1 in 6 million), 16 anywhere in a file (any line may start a run, 1 in 3·10^13).
 */
export const UTF8_PREFIX_EVIDENCE = 8;
export const UTF8_STRETCH_EVIDENCE = 16;

/** Offset of the first NUL byte, or -1. No CSV holds one: it means a damaged file, or UTF-16. */
export function firstNul(b: Uint8Array): number {
  return b.indexOf(0);
}

/**
 * Multi-byte characters in `b`, which must be valid UTF-8 (each one has
 * exactly one lead byte, 0xC0 and above), counting no further than `max`.
 */
export function utf8MultiByteChars(b: Uint8Array, max: number): number {
  let n = 0;
  for (let i = 0; i < b.length && n < max; i++) if (b[i]! >= 0xc0) n++;
  return n;
}

/**
 * Offset of the first line of a run of consecutive lines that are all valid
 * UTF-8 and together hold at least `min` multi-byte characters, or -1. Lines
 * of plain ASCII neither count nor break a run; a line that is not valid UTF-8
 * does. Self-contained (no imports, no outer names): encoding.ts ships its
 * source text to worker threads.
 */
export function utf8Stretch(b: Uint8Array, min: number): number {
  const n = b.length;
  let runStart = -1;
  let chars = 0;
  let lineStart = 0;
  let lineChars = 0;
  let lineOk = true;
  let i = 0;
  /** Cached positions of the next line breaks at or after i (-1: none left), found only when passed. */
  let nextLf = -2;
  let nextCr = -2;
  const endLine = (): boolean => {
    if (!lineOk) {
      runStart = -1;
      chars = 0;
    } else if (lineChars > 0) {
      if (runStart === -1) runStart = lineStart;
      chars += lineChars;
    }
    return chars >= min;
  };
  while (i < n) {
    const x = b[i]!;
    if (x < 0x80) {
      if (x === 0x0a || x === 0x0d) {
        if (endLine()) return runStart;
        lineStart = i + 1;
        lineChars = 0;
        lineOk = true;
      }
      i++;
      continue;
    }
    if (!lineOk) {
      // Most lines of a GB18030 file fail at their first character: jump to the line's end (natively).
      if (nextLf !== -1 && nextLf < i) nextLf = b.indexOf(0x0a, i);
      if (nextCr !== -1 && nextCr < i) nextCr = b.indexOf(0x0d, i);
      const end = nextLf === -1 ? nextCr : nextCr === -1 ? nextLf : Math.min(nextLf, nextCr);
      if (end === -1) break;
      i = end;
      continue;
    }
    // The UTF-8 structure check of encoding.ts's firstInvalidUtf8, for one sequence.
    let len = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (x >= 0xc2 && x <= 0xdf) len = 2;
    else if (x >= 0xe0 && x <= 0xef) {
      len = 3;
      if (x === 0xe0) lo = 0xa0;
      if (x === 0xed) hi = 0x9f;
    } else if (x >= 0xf0 && x <= 0xf4) {
      len = 4;
      if (x === 0xf0) lo = 0x90;
      if (x === 0xf4) hi = 0x8f;
    }
    let ok = len > 0 && i + len <= n && b[i + 1]! >= lo && b[i + 1]! <= hi;
    for (let k = 2; ok && k < len; k++) ok = b[i + k]! >= 0x80 && b[i + k]! <= 0xbf;
    if (!ok) {
      lineOk = false;
      i++;
      continue;
    }
    lineChars++;
    i += len;
  }
  return endLine() ? runStart : -1;
}

/**
 * Where the lines of a valid UTF-8 piece that hold multi-byte characters start
 * and end, up to the line holding the `max`-th such character: the whole of the
 * text an encoding guess rests on, when there is little of it.
 */
export function multiByteLines(b: Uint8Array, max: number): { start: number; end: number; chars: number }[] {
  const out: { start: number; end: number; chars: number }[] = [];
  let total = 0;
  for (let i = 0; i < b.length && total < max; i++) {
    if (b[i]! < 0xc0) continue;
    const last = out.at(-1);
    if (last && i < last.end) {
      last.chars++;
    } else {
      let start = i;
      while (start > 0 && b[start - 1] !== 0x0a && b[start - 1] !== 0x0d) start--;
      let end = i;
      while (end < b.length && b[end] !== 0x0a && b[end] !== 0x0d) end++;
      out.push({ start, end, chars: 1 });
    }
    total++;
  }
  return out;
}
