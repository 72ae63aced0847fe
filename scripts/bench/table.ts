// Figures as text: seconds, sizes, rates, and plain-text tables for the terminal.
import { median, parseStages, type Measured } from './measure.ts';

export const fmtS = (s: number | null): string => (s === null ? '—' : `${s.toFixed(2)} s`);
export const fmtGB = (b: number | null): string => (b === null ? '—' : `${(b / 1024 ** 3).toFixed(2)} GB`);
export const fmtRate = (r: number | null): string => (r === null ? '—' : r >= 1e6 ? `${(r / 1e6).toFixed(2)} M/s` : `${(r / 1e3).toFixed(0)} K/s`);
export const fmtPct = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);
export const fmtInt = (n: number): string => n.toLocaleString('en');

export function fmtBytes(b: number | null): string {
  if (b === null) return '—';
  if (b >= 1024 ** 3) return `${(b / 1024 ** 3).toFixed(2)} GB`;
  if (b >= 1024 ** 2) return `${(b / 1024 ** 2).toFixed(1)} MB`;
  return `${(b / 1024).toFixed(0)} KB`;
}

/** PASS/MISS for a bar, or `na` when the figure is missing. */
export const verdict = (ok: boolean | null, na = 'n/a'): string => (ok === null ? na : ok ? 'PASS' : 'MISS');

/**
 * Prints a table: the first `leftColumns` columns left-aligned, the rest right-aligned,
 * a rule under the header.
 */
export function printTable(rows: string[][], leftColumns = 1): void {
  const header = rows[0];
  if (!header) return;
  const widths = header.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  for (const [i, row] of rows.entries()) {
    console.log(
      widths
        .map((w, c) => (c < leftColumns ? (row[c] ?? '').padEnd(w) : (row[c] ?? '').padStart(w)))
        .join('  ')
        .trimEnd(),
    );
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

/**
 * Median time per pipeline stage over runs, one column per series (e.g. cold,
 * warm), stages in the order they first appear. Empty when no run printed stages.
 */
export function stageTable(series: { label: string; runs: readonly Measured[] }[]): string[][] {
  const parsed = series.map((s) => s.runs.map((m) => parseStages(m.stderr)));
  const names = [...new Set(parsed.flatMap((runs) => runs.flatMap((r) => [...r.keys()])))];
  if (names.length === 0) return [];
  const rows: string[][] = [['stage', ...series.map((s) => `${s.label} (${s.runs.length})`)]];
  for (const n of names)
    rows.push([
      n,
      ...parsed.map((runs) => {
        const xs = runs.map((r) => r.get(n)).filter((x): x is number => x !== undefined);
        if (xs.length === 0) return '—';
        return fmtS(median(xs)) + (xs.length < runs.length ? ` (${xs.length}/${runs.length})` : '');
      }),
    ]);
  return rows;
}
