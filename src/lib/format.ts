// The one number-formatting module (docs/metrics.md "Rounding and display"), shared by every
// page, chart and export. Values arrive at full precision and are rounded once,
// here, half away from zero (四舍五入). Amounts arrive in integer fen.
import type { Fig, Ratio } from '../schema/output.ts';

export type Lang = 'zh' | 'en';
export const LANGS: readonly Lang[] = ['zh', 'en'];
export const LOCALE: Record<Lang, string> = { zh: 'zh-CN', en: 'en' };

const EM_DASH = '—';

/** Binary floating point stores 1.005 as 1.00499…; trimming to 15 significant digits
 * first makes the half-away rounding act on the decimal value the reader expects. */
const clean = (x: number): number => Number(x.toPrecision(15));

const nf = new Map<string, Intl.NumberFormat>();
function numberFormat(lang: Lang, digits: number, signed = false): Intl.NumberFormat {
  const key = `${lang}|${digits}|${signed}`;
  let f = nf.get(key);
  if (!f) {
    f = new Intl.NumberFormat(LOCALE[lang], {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      roundingMode: 'halfExpand',
      signDisplay: signed ? 'exceptZero' : 'auto',
      useGrouping: true,
    });
    nf.set(key, f);
  }
  return f;
}

/** A plain decimal with separators, rounded half away from zero. */
export function decimal(x: number, lang: Lang, digits = 2, signed = false): string {
  return numberFormat(lang, digits, signed).format(clean(x));
}

/** Customers: whole numbers with thousands separators. */
export function count(n: number, lang: Lang, signed = false): string {
  return decimal(n, lang, 0, signed);
}

/** Percent with two decimals: 0.85234 → "85.23%". */
export function percent(ratio: number, lang: Lang, signed = false): string {
  return `${decimal(ratio * 100, lang, 2, signed)}%`;
}

/** A difference of two ratios in percentage points. */
export function points(diff: number, lang: Lang): string {
  const v = decimal(diff * 100, lang, 2, true);
  return lang === 'zh' ? `${v}个百分点` : `${v} pp`;
}

/** A multiple such as the contribution index: "1,086.87×" / "1,086.87倍". */
export function multiple(x: number, lang: Lang): string {
  return `${decimal(x, lang)}${lang === 'zh' ? '倍' : '×'}`;
}

const AMOUNT_UNITS: Record<Lang, [number, string, string][]> = {
  // [divisor in 元, prefix, suffix], largest first.
  zh: [
    [1e8, '', '亿元'],
    [1e4, '', '万元'],
    [1, '', '元'],
  ],
  en: [
    [1e9, 'CNY ', 'B'],
    [1e6, 'CNY ', 'M'],
    [1e3, 'CNY ', 'K'],
    [1, 'CNY ', ''],
  ],
};

/**
 * Amounts: zh in 元/万元/亿元 by magnitude, en in CNY with K/M/B; two decimals.
 * The unit follows the magnitude, bumped up where rounding carries into the next
 * one, so 99,999,999.99 元 reads 1.00亿元, not 10,000.00万元.
 */
export function amount(fen: number, lang: Lang, signed = false): string {
  const yuan = fen / 100;
  const units = AMOUNT_UNITS[lang];
  const abs = Math.abs(yuan);
  let i = units.findIndex(([div]) => abs >= div);
  if (i < 0) i = units.length - 1;
  // Rounding may carry into the next unit: 9,999.999999万 would print as 10,000.00万.
  const bigger = units[i - 1];
  if (bigger && (Math.round(clean(abs / units[i]![0]) * 100) / 100) * units[i]![0] >= bigger[0]) i -= 1;
  const [div, prefix, suffix] = units[i]!;
  return `${prefix}${decimal(yuan / div, lang, 2, signed)}${suffix}`;
}

/** The unit an amount axis is drawn in: the largest magnitude the values reach. */
export function amountScale(maxAbsFen: number, lang: Lang): { divisor: number; unit: string } {
  const yuan = Math.abs(maxAbsFen) / 100;
  if (lang === 'zh') {
    if (yuan >= 1e8) return { divisor: 1e10, unit: '亿元' };
    if (yuan >= 1e4) return { divisor: 1e6, unit: '万元' };
    return { divisor: 100, unit: '元' };
  }
  if (yuan >= 1e9) return { divisor: 1e11, unit: 'CNY B' };
  if (yuan >= 1e6) return { divisor: 1e8, unit: 'CNY M' };
  if (yuan >= 1e3) return { divisor: 1e5, unit: 'CNY K' };
  return { divisor: 100, unit: 'CNY' };
}

// ── Published figures that may be withheld ──────────────────────────────────

export type FigKind = 'count' | 'amount' | 'percent' | 'multiple';

export const isSuppressed = (v: Fig | Ratio): v is { suppressed: 'frequency' | 'dominance' | 'secondary' } =>
  typeof v === 'object' && v !== null;

/** The number behind a figure, or null when it is withheld or undefined. */
export const valueOf = (v: Fig | Ratio): number | null => (typeof v === 'number' ? v : null);

/**
 * A figure as text: a withheld count shows as "< minCell" (it is known to be small
 * only under the frequency rule; otherwise "—"), a withheld amount or share as "—",
 * an undefined ratio (zero denominator, top tier moving up) as "—".
 */
export function fig(v: Fig | Ratio, kind: FigKind, lang: Lang, minCell: number, signed = false): string {
  if (v === null) return EM_DASH;
  if (typeof v === 'object') return kind === 'count' && v.suppressed === 'frequency' ? `< ${minCell}` : EM_DASH;
  switch (kind) {
    case 'count':
      return count(v, lang, signed);
    case 'amount':
      return amount(v, lang, signed);
    case 'percent':
      return percent(v, lang, signed);
    case 'multiple':
      return multiple(v, lang);
  }
}

/** Axis ticks in whole percent: 0.2 → "20%". */
export const percentTick = (ratio: number): string => `${Math.round(ratio * 100)}%`;

/**
 * How a share compares with a reference, as the reader sees it: 0 when both
 * display alike or the difference rounds to 0.00 percentage points.
 */
export function compareShares(a: number, b: number, lang: Lang): -1 | 0 | 1 {
  if (percent(a, lang) === percent(b, lang)) return 0;
  if (decimal(Math.abs(a - b) * 100, lang, 2) === decimal(0, lang, 2)) return 0;
  return a > b ? 1 : -1;
}

/** A snapshot date (YYYY-MM-DD) as the UTC midnight it names. */
export const utcDate = (iso: string): Date => new Date(`${iso}T00:00:00Z`);

const dateFormats = new Map<Lang, Intl.DateTimeFormat>();
/** 2025-11-30 → "2025年11月30日" / "30 Nov 2025". */
export function date(iso: string, lang: Lang): string {
  let f = dateFormats.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
      year: 'numeric',
      month: lang === 'zh' ? 'long' : 'short',
      day: 'numeric',
      timeZone: 'UTC',
    });
    dateFormats.set(lang, f);
  }
  return f.format(utcDate(iso));
}

// Built once: a DateTimeFormat costs far more than a format, and every tick of every trend chart asks.
let monthFormat: Intl.DateTimeFormat | null = null;
/** 2025-11-30 → "2025-11" / "Nov 2025", for axis ticks of monthly series. */
export function month(iso: string, lang: Lang): string {
  if (lang === 'zh') return iso.slice(0, 7);
  monthFormat ??= new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
  return monthFormat.format(utcDate(iso));
}

/** A number without float noise (0.07 × 100 = 7.000000000000001) and never in exponent form. */
export function plainNumber(x: number): string {
  const clean = Number.parseFloat(x.toPrecision(15));
  if (Object.is(clean, -0)) return '0';
  const s = String(clean);
  if (!/e/i.test(s)) return s;
  return clean.toFixed(20).replace(/\.?0+$/, '');
}
