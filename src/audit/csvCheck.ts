// Consistency across renderings: a value withheld in the JSON must not appear as
// a number in the CSV export of the chart that shows it, in either language.
// Each CSV is mapped cell by cell onto the canonical keys of figures.ts from its
// path (exports/<period>/<scope>/<chart>.csv, en/ in front for English) and its
// row labels (tier and sub-band labels from meta.json, the item names the chart
// modules write). The mapping is checked against the file (row count, labels); a
// file that does not fit is reported as unmapped, never passed silently.
import { flowKey, scopeOf, snapKey } from './keys.ts';
import type { Published } from './figures.ts';
import type { Finding } from './report.ts';
import { csvRows } from './extract.ts';

type Cells = { row: number; col: number; key: string }[];

export interface CsvIndex {
  withheld: Set<string>;
  slugToBranch: Map<string, string | null>;
  pub: Published;
}

const NUMBER = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;
const BRIDGE_LABELS: Record<string, string> = {
  新增: 'new', New: 'new', '下级升入 ↑': 'inUp', 'In from below ↑': 'inUp', '上级降入 ↓': 'inDown', 'In from above ↓': 'inDown',
  转入: 'tin', 'Transferred in': 'tin', '升至上级 ↑': 'outUp', 'Moved up ↑': 'outUp', '降至下级 ↓': 'outDown', 'Moved down ↓': 'outDown',
  流失: 'lost', Lost: 'lost', 转出: 'tout', 'Transferred out': 'tout',
};
const ASSET_LABELS: Record<string, string> = {
  流失客户: 'lost', 'Lost customers': 'lost', 新增客户: 'new', 'New customers': 'new', 转入客户: 'tin', 'Transferred in': 'tin', 转出客户: 'tout', 'Transferred out': 'tout',
};
const START = new Set(['期初', 'Start']);
const END = new Set(['期末', 'End']);
const WITHHELD = new Set(['隐藏项合计', 'Withheld (combined)']);

export function csvIndex(pub: Published, slugs: Map<string, string>): CsvIndex {
  const withheld = new Set(pub.figures.filter((f) => f.status === 'suppressed').map((f) => f.key));
  const slugToBranch = new Map<string, string | null>([['bank', null]]);
  for (const [code, slug] of slugs) slugToBranch.set(slug, code);
  return { withheld, slugToBranch, pub };
}

/** The scope key of an export file from its path (exports/<period>/<slug>/…), null when not known. */
export function scopeOfPath(ix: CsvIndex | null, rel: string): string | null {
  const m = /(?:^|\/)exports\/[^/]+\/([^/]+)\//.exec(rel);
  if (!ix || !m || !ix.slugToBranch.has(m[1]!)) return null;
  return scopeOf(ix.slugToBranch.get(m[1]!)!);
}

/** null when the path is not a chart CSV; 'unmapped' when the audit has no mapping that fits it. */
export function csvCells(ix: CsvIndex, rel: string, rows: string[][]): Cells | 'unmapped' | null {
  const m = /^(?:(en)\/)?exports\/([^/]+)\/([^/]+)\/([^/]+)\.csv$/.exec(rel.split('\\').join('/'));
  if (!m) return null;
  const lang = m[1] === 'en' ? 'en' : 'zh';
  const [periodId, slug, chart] = [m[2]!, m[3]!, m[4]!];
  if (!ix.slugToBranch.has(slug)) return 'unmapped';
  const branch = ix.slugToBranch.get(slug)!;
  const scope = scopeOf(branch);
  const meta = ix.pub.meta;
  const tiers: any[] = meta.tiers;
  const tierLabel = (t: number) => tiers[t].label[lang] as string;
  const period = meta.periods.find((p: any) => p.id === periodId);
  const endDate: string = period ? period.end : periodId;
  const body = rows.slice(1);
  const label = (r: number) => (body[r]?.[0] ?? '').replace(/^'/, '').trim();
  const cells: Cells = [];
  const at = (r: number, c: number, key: string) => cells.push({ row: r + 1, col: c, key });

  if (chart === 'pyramid-aum' || chart === 'pyramid-deposits') {
    const measure = chart === 'pyramid-aum' ? 'aum' : 'deposits';
    let r = 0;
    const part = (p: string, ci: boolean) => {
      const g = snapKey(endDate, scope, p);
      [`${g}|n`, `${g}|nShare`, `${g}|${measure}`, `${g}|${measure}Share`, `${g}|${measure === 'aum' ? 'avgAum' : 'avgDeposits'}`].forEach((k, c) => at(r, c + 1, k));
      if (ci && measure === 'aum') at(r, 6, `${g}|ci`);
      r++;
    };
    for (let t = 0; t < tiers.length; t++) {
      if (label(r) !== tierLabel(t)) return 'unmapped';
      part(tiers[t].key, true);
      for (const b of tiers[t].subBands) {
        if (label(r) !== b.label[lang]) return 'unmapped';
        part(b.key, false);
      }
    }
    if (r !== body.length - 1) return 'unmapped';
    part('total', false);
    return cells;
  }

  const pf = period && ix.pub.periods.get(periodId);
  const sc = pf?.scopes.find((s: any) => s.branch === branch);
  if (!sc) return 'unmapped';
  const fk = (name: string) => flowKey(periodId, scope, name);
  const ti = (k: string) => tiers.findIndex((t) => t.key === k);
  const grp = (x: any) => {
    const a = ti(x.from);
    const b = ti(x.to);
    return a >= 0 && b >= 0 ? fk(`M|${a}|${b}`) : a >= 0 ? fk(`${x.to === 'lost' ? 'lost' : 'tout'}|${a}`) : fk(`${x.from === 'new' ? 'new' : 'tin'}|${b}`);
  };
  const fromOk = (x: any, r: number) => ti(x.from) < 0 || label(r) === tierLabel(ti(x.from));

  if (chart === 'migration-heatmap-gross' || chart === 'migration-sankey') {
    if (body.length !== sc.transitions.length) return 'unmapped';
    for (let r = 0; r < body.length; r++) {
      const x = sc.transitions[r];
      if (!fromOk(x, r)) return 'unmapped';
      if (chart === 'migration-sankey') at(r, 3, `${grp(x)}|n`);
      else at(r, 2, `${grp(x)}|n`), at(r, 3, `${grp(x)}|gross`);
    }
    return cells;
  }
  if (chart === 'migration-heatmap-adjusted') {
    const xs = sc.transitions.filter((x: any) => ti(x.from) >= 0 && ti(x.to) >= 0);
    if (body.length !== xs.length) return 'unmapped';
    for (let r = 0; r < body.length; r++) {
      if (!fromOk(xs[r], r)) return 'unmapped';
      at(r, 2, `${grp(xs[r])}|n`), at(r, 3, `${grp(xs[r])}|adj`);
    }
    return cells;
  }
  const bridge = /^migration-bridge-(.+)$/.exec(chart);
  if (bridge) {
    const t = ti(bridge[1]!);
    if (t < 0) return 'unmapped';
    for (let r = 0; r < body.length; r++) {
      const l = label(r);
      if (START.has(l)) at(r, 1, `${snapKey(period.start, scope, tiers[t].key)}|n`);
      else if (END.has(l)) at(r, 1, `${snapKey(period.end, scope, tiers[t].key)}|n`);
      else if (BRIDGE_LABELS[l]) at(r, 1, `${fk(`${BRIDGE_LABELS[l]}|${t}`)}|n`);
      else if (l.startsWith('净变动') || l.startsWith('Net change')) at(r, 1, fk(`net|${t}`));
      else if (!WITHHELD.has(l)) return 'unmapped';
    }
    return cells;
  }
  if (chart === 'migration-asset-bridge') {
    for (let r = 0; r < body.length; r++) {
      const l = label(r);
      const retained = tiers.findIndex((_, t) => l === `留存·${tierLabel(t)}` || l === `Retained: ${tierLabel(t)}`);
      if (START.has(l)) at(r, 1, `${snapKey(period.start, scope, 'total')}|aum`);
      else if (END.has(l)) at(r, 1, `${snapKey(period.end, scope, 'total')}|aum`);
      else if (ASSET_LABELS[l]) at(r, 1, `${fk(`${ASSET_LABELS[l]}|total`)}|aum`);
      else if (retained >= 0) at(r, 1, `${fk(`retained|${retained}`)}|aumChange`);
      else if (!WITHHELD.has(l)) return 'unmapped';
    }
    return cells;
  }
  if (chart === 'new-mix') {
    if (body.length !== tiers.length + 2) return 'unmapped';
    for (let t = 0; t < tiers.length; t++) {
      if (label(t) !== tierLabel(t)) return 'unmapped';
      at(t, 1, `${fk(`new|${t}`)}|n`), at(t, 2, `${fk(`new|${t}`)}|share`), at(t, 3, `${snapKey(endDate, scope, tiers[t].key)}|nShare`);
    }
    at(tiers.length, 2, `${fk('new|midhigh')}|share`), at(tiers.length, 3, `${snapKey(endDate, scope, 'midhigh')}|nShare`);
    at(tiers.length + 1, 1, `${fk('new|total')}|n`);
    return cells;
  }
  if (chart === 'migration-rates') {
    if (body.length !== tiers.length + 2) return 'unmapped';
    const row = (r: number, name: (x: string) => string) => {
      const c = ['outUp', 'outUp', 'outDown', 'outDown', 'stay', 'stay', 'lost', 'tout'];
      c.forEach((x, i) => i < (branch === null ? 7 : 8) && at(r, i + 1, `${name(x)}|${i < 6 && i % 2 === 1 ? 'adj' : 'gross'}`));
    };
    for (let r = 0; r < tiers.length; r++) {
      const t = tiers.length - 1 - r;
      if (label(r) !== tierLabel(t)) return 'unmapped';
      row(r, (x) => fk(x === 'stay' ? `M|${t}|${t}` : `${x}|${t}`));
    }
    row(tiers.length, (x) => fk(`pool|midhigh|${x}`));
    row(tiers.length + 1, (x) => fk(`pool|all|${x}`));
    return cells;
  }
  if (chart === 'new-opened') {
    if (body.length < 3) return 'unmapped';
    at(0, 1, `${fk('opened')}|n`), at(1, 1, `${fk('reappearing')}|n`), at(body.length - 1, 1, `${fk('new|total')}|n`);
    return cells;
  }
  return 'unmapped';
}

export function csvConsistency(ix: CsvIndex, rel: string, text: string): { findings: Finding[]; checked: number; mapped: boolean | null } {
  const rows = csvRows(text);
  const cells = csvCells(ix, rel, rows);
  if (cells === null) return { findings: [], checked: 0, mapped: null };
  if (cells === 'unmapped') return { findings: [], checked: 0, mapped: false };
  const findings: Finding[] = [];
  for (const c of cells) {
    const field = (rows[c.row]?.[c.col] ?? '').trim();
    if (ix.withheld.has(c.key) && NUMBER.test(field))
      findings.push({ check: 'csv', kind: 'csv-shows-withheld', file: rel, location: `row ${c.row + 1}, column ${c.col + 1} shows a number where the JSON withholds the value` });
  }
  return { findings, checked: cells.length, mapped: true };
}
