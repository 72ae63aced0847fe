// The small-cell check: every published figure (count, amount, share, average,
// index) that describes a group of 1 … minCell − 1 customers, by the audit's own
// count from the inputs, is a finding. The same pass compares each published
// count with the audit's count: a disagreement means the two readers of the input
// differ, and the small-cell verdicts for that group cannot be trusted — reported
// as a warning, since it is not itself a leak.
import type { Published } from './figures.ts';
import type { Finding } from './report.ts';
import type { Truth } from './truth.ts';

export interface SmallCellResult {
  findings: Finding[];
  cellsChecked: number;
  smallCells: number;
  figuresChecked: number;
  mismatches: string[];
}

export function smallCellCheck(pub: Published, truth: Truth): SmallCellResult {
  const findings: Finding[] = [];
  const mismatches: string[] = [];
  let figuresChecked = 0;
  const groups = new Set<string>();
  for (const f of pub.figures) {
    if (f.group === null || !truth.counts.has(f.group)) continue;
    figuresChecked++;
    groups.add(f.group);
    if (f.status === 'num' && truth.small.has(f.group))
      findings.push({ check: 'small-cells', kind: 'small-cell-published', file: f.file, location: `${f.loc} describes fewer than ${pub.meta.privacy.minCell} customers` });
    if (f.status === 'num' && f.key === `${f.group}|n` && f.value !== truth.counts.get(f.group))
      mismatches.push(`${f.file}: ${f.loc} differs from the audit's count of the inputs`);
  }
  return { findings, cellsChecked: groups.size, smallCells: [...groups].filter((g) => truth.small.has(g)).length, figuresChecked, mismatches };
}
