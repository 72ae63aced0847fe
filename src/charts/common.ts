// Vocabulary every chart shares: labels of tiers, scopes and periods in the page
// language, the source line, and table cells built from published figures.
import type { Fig, Meta, Period, Ratio } from '../schema/output.ts';
import { date, fig, isSuppressed, valueOf, type FigKind, type Lang } from '../lib/format.ts';
import type { Cell, ChartContext } from './types.ts';

export const L = <T>(lang: Lang, zh: T, en: T): T => (lang === 'zh' ? zh : en);

export function tierLabel(meta: Meta, key: string, lang: Lang): string {
  const t = meta.tiers.find((x) => x.key === key);
  if (t) return t.label[lang];
  for (const x of meta.tiers) {
    const b = x.subBands.find((s) => s.key === key);
    if (b) return b.label[lang];
  }
  const special: Record<string, [string, string]> = {
    new: ['新增', 'New'],
    lost: ['流失', 'Lost'],
    transfer_in: ['转入', 'Transferred in'],
    transfer_out: ['转出', 'Transferred out'],
  };
  const s = special[key];
  return s ? L(lang, ...s) : key;
}

export function scopeLabel(meta: Meta, branch: string | null, lang: Lang): string {
  if (branch === null) return L(lang, '全行', 'Whole bank');
  const b = meta.branches.find((x) => x.code === branch);
  return b ? b.label[lang] : branch;
}

export function periodLabel(period: Period, lang: Lang): string {
  const span = L(lang, `${date(period.start, lang)}至${date(period.end, lang)}`, `${date(period.start, lang)} – ${date(period.end, lang)}`);
  return period.headline ? L(lang, `${span}（较年初）`, `${span} (year to date)`) : span;
}

export function sourceLine(ctx: ChartContext): string {
  return L(ctx.lang, `来源：Tierscope · 数据截至${date(ctx.asOf, 'zh')}`, `Source: Tierscope · data as of ${date(ctx.asOf, 'en')}`);
}

/** "全行 · 2025年11月30日" — scope and the date or period the chart covers. */
export function scopeAndWhen(ctx: ChartContext, snapshot = true): string {
  const when = snapshot || !ctx.period ? date(ctx.asOf, ctx.lang) : periodLabel(ctx.period, ctx.lang);
  return `${scopeLabel(ctx.meta, ctx.branch, ctx.lang)} · ${when}`;
}

export function figCell(v: Fig | Ratio, kind: FigKind, ctx: ChartContext, signed = false): Cell {
  const cell: Cell = { text: fig(v, kind, ctx.lang, ctx.meta.privacy.minCell, signed), value: valueOf(v), kind };
  if (isSuppressed(v)) cell.suppressed = v.suppressed;
  return cell;
}

export const textCell = (text: string): Cell => ({ text, value: text });

/** The note under a chart that withholds something, naming the rules that applied. */
export function suppressionNote(ctx: ChartContext, cells: (Fig | Ratio)[]): string | null {
  const reasons = new Set(cells.filter(isSuppressed).map((c) => c.suppressed));
  if (reasons.size === 0) return null;
  const m = ctx.meta.privacy.minCell;
  const p = ctx.meta.privacy.pPercent;
  const parts: string[] = [];
  if (reasons.has('frequency'))
    parts.push(L(ctx.lang, `少于${m}户客户的格子显示为“< ${m}”或“—”`, `cells describing fewer than ${m} customers show as “< ${m}” or “—”`));
  if (reasons.has('dominance'))
    parts.push(L(ctx.lang, `由一两位客户主导的金额（p%规则，p = ${p}）显示为“—”`, `amounts dominated by one or two customers (p % rule, p = ${p}) show as “—”`));
  if (reasons.has('secondary'))
    parts.push(L(ctx.lang, `另有部分格子一并隐藏，以免通过合计相减推算`, `some further cells are hidden so that none of these can be worked out from totals`));
  return L(ctx.lang, `为保护客户隐私：${parts.join('；')}。隐藏的数值不是零。`, `To protect customer privacy, ${parts.join('; ')}. Hidden values are not zero.`);
}
