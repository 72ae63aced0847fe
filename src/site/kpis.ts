// The executive summary's KPI cards, computed from the headline period. Stock
// figures (customers, mid-high shares) are as of the latest snapshot and compare
// with the snapshot before it; flow figures (migration, new customers) are for
// the headline period, and their change line compares the latest consecutive
// period with the one before, because a year-to-date rate has no earlier twin.
import type { Fig, Ratio } from '../schema/output.ts';
import { count, fig, percent, points, valueOf, type Lang } from '../lib/format.ts';
import { L } from '../charts/common.ts';
import type { Report } from './data.ts';
import { periodScope, seriesScope, snapshotScope } from './data.ts';

export interface Kpi {
  id: string;
  label: string;
  value: string;
  /** Secondary lines under the value (share, year-to-date context…). */
  sub: string[];
  /** Change vs the previous snapshot or period, in words; null when either side is withheld. */
  delta: { text: string; sign: -1 | 0 | 1 } | null;
  /** History for the sparkline: one value per snapshot or consecutive period (null = withheld). */
  history: { x: string; y: number | null }[];
  historyKind: 'count' | 'percent';
}

const sign = (d: number, digits: number): -1 | 0 | 1 => {
  const r = Math.round(Math.abs(d) * 10 ** digits);
  return r === 0 ? 0 : d > 0 ? 1 : -1;
};

function countDelta(now: Fig, before: Fig, lang: Lang, what: string): Kpi['delta'] {
  const a = valueOf(now);
  const b = valueOf(before);
  if (a === null || b === null) return null;
  return { text: `${what} ${count(a - b, lang, true)}`, sign: sign(a - b, 0) };
}

function shareDelta(now: Ratio, before: Ratio, lang: Lang, what: string): Kpi['delta'] {
  const a = valueOf(now);
  const b = valueOf(before);
  if (a === null || b === null) return null;
  return { text: `${what} ${points(a - b, lang)}`, sign: sign(a - b, 4) };
}

export function kpisOf(report: Report, lang: Lang, branch: string | null = null): Kpi[] {
  const meta = report.meta();
  const min = meta.privacy.minCell;
  const latest = meta.snapshots.at(-1);
  if (latest === undefined) return [];
  const prevDate = meta.snapshots.at(-2) ?? null;
  const now = snapshotScope(report.snapshot(latest), branch);
  const prev = prevDate === null ? null : snapshotScope(report.snapshot(prevDate), branch);
  const series = seriesScope(report.series(), branch);
  const headline = meta.periods.find((p) => p.headline) ?? null;
  const head = headline ? periodScope(report.period(headline.id), branch) : null;
  const yearStart = headline ? snapshotScope(report.snapshot(headline.start), branch) : null;
  const vsPrev = L(lang, '较上期', 'vs previous');
  const snapHist = <K extends keyof (typeof series.snapshots)[number]>(k: K) =>
    series.snapshots.map((s) => ({ x: s.date, y: valueOf(s[k] as Fig) }));
  const periodHist = <K extends keyof (typeof series.periods)[number]>(k: K) =>
    series.periods.map((p) => ({ x: p.end, y: valueOf(p[k] as Fig) }));
  const lastTwo = <K extends keyof (typeof series.periods)[number]>(k: K): Kpi['delta'] => {
    const [b, a] = series.periods.slice(-2);
    if (!a || !b) return null;
    const av = valueOf(a[k] as Ratio);
    const bv = valueOf(b[k] as Ratio);
    if (av === null || bv === null) return null;
    return {
      text: L(
        lang,
        `最近一期${percent(av, lang)}，上一期${percent(bv, lang)}（${points(av - bv, lang)}）`,
        `latest period ${percent(av, lang)} vs ${percent(bv, lang)} before (${points(av - bv, lang)})`,
      ),
      sign: sign(av - bv, 4),
    };
  };

  const kpis: Kpi[] = [];
  const ytdNet = yearStart ? countDelta(now.customers, yearStart.customers, lang, L(lang, '较年初', 'since year start')) : null;
  kpis.push({
    id: 'customers',
    label: L(lang, '客户数', 'Customers'),
    value: fig(now.customers, 'count', lang, min),
    sub: ytdNet ? [ytdNet.text] : [],
    delta: prev ? countDelta(now.customers, prev.customers, lang, vsPrev) : null,
    history: snapHist('customers'),
    historyKind: 'count',
  });
  kpis.push({
    id: 'mid-high',
    label: L(lang, '中高端客户', 'Mid-high customers'),
    value: fig(now.midHigh.n, 'count', lang, min),
    sub: [L(lang, `占客户数${fig(now.midHigh.nShare, 'percent', lang, min)}`, `${fig(now.midHigh.nShare, 'percent', lang, min)} of customers`)],
    delta: prev ? shareDelta(now.midHigh.nShare, prev.midHigh.nShare, lang, L(lang, '占比较上期', 'share vs previous')) : null,
    history: snapHist('midHighShare'),
    historyKind: 'percent',
  });
  kpis.push({
    id: 'mid-high-aum',
    label: L(lang, '中高端客户资产占比', 'Mid-high share of assets'),
    value: fig(now.midHigh.aumShare, 'percent', lang, min),
    sub: [],
    delta: prev ? shareDelta(now.midHigh.aumShare, prev.midHigh.aumShare, lang, vsPrev) : null,
    history: snapHist('midHighAumShare'),
    historyKind: 'percent',
  });
  kpis.push({
    id: 'mid-high-deposits',
    label: L(lang, '中高端客户存款占比', 'Mid-high share of deposits'),
    value: fig(now.midHigh.depositsShare, 'percent', lang, min),
    sub: [],
    delta: prev ? shareDelta(now.midHigh.depositsShare, prev.midHigh.depositsShare, lang, vsPrev) : null,
    history: snapHist('midHighDepositsShare'),
    historyKind: 'percent',
  });
  if (head) {
    const ytd = L(lang, '较年初期间', 'year to date');
    kpis.push({
      id: 'mid-high-up',
      label: L(lang, '中高端向上迁徙率（毛）', 'Mid-high up-migration (gross)'),
      value: fig(head.pooled.midHigh.gross.up, 'percent', lang, min),
      sub: [ytd],
      delta: lastTwo('midHighUp'),
      history: periodHist('midHighUp'),
      historyKind: 'percent',
    });
    kpis.push({
      id: 'mid-high-down',
      label: L(lang, '中高端向下迁徙率（毛）', 'Mid-high down-migration (gross)'),
      value: fig(head.pooled.midHigh.gross.down, 'percent', lang, min),
      sub: [ytd],
      delta: lastTwo('midHighDown'),
      history: periodHist('midHighDown'),
      historyKind: 'percent',
    });
    const mix = head.newMix;
    const [b, a] = series.periods.slice(-2);
    kpis.push({
      id: 'new',
      label: L(lang, '新增客户', 'New customers'),
      value: fig(mix.total, 'count', lang, min),
      sub: [
        L(
          lang,
          `中高端占${fig(mix.midHighShare, 'percent', lang, min)}，存量为${fig(mix.stockMidHighShare, 'percent', lang, min)}`,
          `${fig(mix.midHighShare, 'percent', lang, min)} mid-high vs ${fig(mix.stockMidHighShare, 'percent', lang, min)} of the stock`,
        ),
        ytd,
      ],
      delta: a && b ? countDelta(a.new, b.new, lang, L(lang, '最近一期较上一期', 'latest period vs the one before')) : null,
      history: periodHist('new'),
      historyKind: 'count',
    });
  }
  return kpis;
}
