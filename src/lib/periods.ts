// Which snapshot pairs the site reports on (docs/metrics.md "Scopes, snapshots and periods"),
// and the scope type every per-scope metric takes.

/** The whole book, or one branch. */
export type Scope = { kind: 'bank' } | { kind: 'branch'; branch: string };

export const BANK: Scope = { kind: 'bank' };
export const branchScope = (branch: string): Scope => ({ kind: 'branch', branch });

/** Bank first, then branches in code-point order, so output files are stable run to run. */
export function scopesOf(branches: Iterable<string>): Scope[] {
  const codes = [...new Set(branches)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return [BANK, ...codes.map(branchScope)];
}

// The shape is the output contract's, defined once in the schema.
import type { Period } from '../schema/output.ts';
export type { Period };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The year-start snapshot for the headline period, or null with fewer than two
 * snapshots. `dates` must be sorted ascending YYYY-MM-DD without repeats.
 */
export function yearStartOf(dates: readonly string[]): string | null {
  checkDates(dates);
  const latest = dates[dates.length - 1];
  if (latest === undefined || dates.length < 2) return null;
  const year = Number(latest.slice(0, 4));
  const previousYearEnd = `${String(year - 1).padStart(4, '0')}-12-31`;
  const earlier = dates.slice(0, -1);
  const yearEnd = earlier.filter((d) => d <= previousYearEnd).at(-1);
  if (yearEnd !== undefined) return yearEnd;
  const inYear = earlier.find((d) => d.startsWith(`${latest.slice(0, 4)}-`));
  if (inYear !== undefined) return inYear;
  // Unreachable for sorted distinct dates (every earlier snapshot is either in an
  // earlier year or in the latest one), kept so the rule reads like the spec.
  return earlier.at(-1) ?? null;
}

/** Consecutive pairs in date order; the headline pair is flagged in place, or appended last. */
export function periodsOf(dates: readonly string[]): Period[] {
  const yearStart = yearStartOf(dates);
  const latest = dates[dates.length - 1];
  const periods: Period[] = [];
  for (let i = 1; i < dates.length; i++) {
    const start = dates[i - 1] as string;
    const end = dates[i] as string;
    periods.push({ id: `${start}_${end}`, start, end, consecutive: true, headline: end === latest && start === yearStart });
  }
  if (yearStart !== null && latest !== undefined && !periods.some((p) => p.headline))
    periods.push({ id: `${yearStart}_${latest}`, start: yearStart, end: latest, consecutive: false, headline: true });
  return periods;
}

function checkDates(dates: readonly string[]): void {
  dates.forEach((d, i) => {
    if (!DATE.test(d)) throw new RangeError(`snapshot date "${d}" is not YYYY-MM-DD`);
    const prev = dates[i - 1];
    if (prev !== undefined && prev >= d) throw new RangeError(`snapshot dates must be ascending and distinct: "${prev}" then "${d}"`);
  });
}
