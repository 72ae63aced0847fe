// Work that depends on the report and not on the page, done once per build. A
// bank of 40 branches and 12 periods has over a thousand pages in two languages,
// and much of what a page computes is shared with others: the league table and
// the new-customer history do not depend on the language, the summary's figures
// are on the summary and the print page, a snapshot's charts are on every page
// of the periods that end on it.

/** How many times each kind of value was computed: the test that fails when per-page repeated work comes back reads it. */
export const computeCounts = new Map<string, number>();
export const counted = (kind: string): void => void computeCounts.set(kind, (computeCounts.get(kind) ?? 0) + 1);

// Keyed by the object the values derive from (the report, the site, a chart spec):
// a test's fixture report never sees the site's values, and a spec's SVG goes with the spec.
const memos = new WeakMap<object, Map<string, Map<string, unknown>>>();

/**
 * The value of `make` for (owner, kind, key), computed on first use. At most
 * `keep` values of a kind stay, the least recently used evicted first: the charts
 * of every branch and period would hold most of a gigabyte, while the pages that
 * share a branch's charts are built one after another.
 */
export function memo<T>(owner: object, kind: string, key: string, make: () => T, keep = Infinity): T {
  let kinds = memos.get(owner);
  if (!kinds) memos.set(owner, (kinds = new Map()));
  let values = kinds.get(kind);
  if (!values) kinds.set(kind, (values = new Map()));
  if (values.has(key)) {
    const hit = values.get(key) as T;
    // Map order is the eviction order: a value in use moves to the back.
    values.delete(key);
    values.set(key, hit);
    return hit;
  }
  const value = make();
  counted(kind);
  values.set(key, value);
  if (values.size > keep) values.delete(values.keys().next().value!);
  return value;
}
