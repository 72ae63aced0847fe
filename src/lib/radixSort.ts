// Sorting millions of amounts is the hottest step of the concentration figures.
// Amounts are non-negative integer fen below 2^53, so an LSD radix sort on 11-bit
// digits (5 passes at most, constant digits skipped) is linear and stable; it
// carries a tag (the branch id) along, so one stable split afterwards gives every
// branch its amounts already sorted.

const BITS = 11;
const RADIX = 1 << BITS;
const MASK = RADIX - 1;
const MAX = 2 ** 53;

/** Digit d (0 = least significant) of an integer-valued double in [0, 2^53). */
function digit(x: number, d: number): number {
  // 2^(11d) divides exactly; floor of the quotient keeps the arithmetic exact below 2^53.
  return Math.floor(x / 2 ** (BITS * d)) & MASK;
}

/**
 * Sort `values` ascending in place, permuting `tags` alongside (stable). Returns
 * the scratch buffer it used (length n, contents undefined), for the caller to
 * reuse: at 100 M customers each such buffer is 800 MB.
 */
export function radixSortWithTags(values: Float64Array, tags: Uint16Array): Float64Array {
  const n = values.length;
  if (tags.length !== n) throw new RangeError('values and tags differ in length');
  let max = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    if (!(x >= 0 && x < MAX && Number.isInteger(x))) throw new RangeError(`radix sort needs integers in [0, 2^53), got ${x} at ${i}`);
    if (x > max) max = x;
  }
  let src: Float64Array = values;
  let srcTags: Uint16Array = tags;
  let dst: Float64Array = new Float64Array(n);
  let dstTags: Uint16Array = new Uint16Array(n);
  const count = new Uint32Array(RADIX);
  for (let d = 0; d * BITS < 53 && 2 ** (BITS * d) <= max; d++) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[digit(src[i]!, d)]!++;
    let sum = 0;
    for (let b = 0; b < RADIX; b++) {
      const c = count[b]!;
      count[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const x = src[i]!;
      const at = count[digit(x, d)]!++;
      dst[at] = x;
      dstTags[at] = srcTags[i]!;
    }
    [src, dst] = [dst, src];
    [srcTags, dstTags] = [dstTags, srcTags];
  }
  if (src !== values) {
    values.set(src);
    tags.set(srcTags);
    return src;
  }
  return dst;
}

/**
 * Amounts sorted for the whole set and per tag: returns the sorted values, and for
 * each tag t its sorted values as a subarray of one shared buffer.
 */
export function sortAndSplit(values: Float64Array, tags: Uint16Array, tagCount: number): { all: Float64Array; byTag: Float64Array[] } {
  const grouped = radixSortWithTags(values, tags);
  const starts = new Uint32Array(tagCount + 1);
  for (let i = 0; i < tags.length; i++) starts[tags[i]! + 1]!++;
  for (let t = 0; t < tagCount; t++) starts[t + 1]! += starts[t]!;
  const fill = starts.slice(0, tagCount);
  for (let i = 0; i < values.length; i++) grouped[fill[tags[i]!]!++] = values[i]!;
  return { all: values, byTag: Array.from({ length: tagCount }, (_, t) => grouped.subarray(starts[t]!, starts[t + 1]!)) };
}
