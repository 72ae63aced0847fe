// The amount scan: a published number equal to the exact amount of one customer
// in a small cell is treated as that customer's amount. Only places that hold
// amounts are compared, since counts and percentages match some customer's round
// balance by chance (on the sample bank a generic scan of every number gave
// 20,000 such coincidences: 200,000 rows read vs a balance of 2,000.00 元, a
// share of 100 % vs a balance of 100.00 元, a tier bound vs a balance exactly on
// it). JSON: amount fields in fen (aum, deposits, averages, changes, everything
// under assetBridge) and any numeric string anywhere (read as 元, the inputs'
// unit: row-level values in text, such as rejected-row examples). CSV: fields in
// 元 with at most two decimals, in columns whose header names 元 or CNY.
// Amounts under MIN_YUAN 元 are ignored everywhere, for the same reason. And a
// number counts only against small cells of its own context — the same scope and
// the same dates (the file's snapshot, or its period's start and end): a branch
// total equal to the balance of a customer of another branch in another month is
// chance (the sample bank had 4 such), while a leak shows up where its cell is.
import { csvRows } from './extract.ts';
import type { Finding } from './report.ts';
import type { Truth } from './truth.ts';

/** Where a number is shown: its scope key ("*", "b:<code>") and dates; null = not known, match any. */
export interface Context {
  scope: string | null;
  dates: string[] | null;
}

/** The small cell of this context that holds a customer with exactly this amount, if any. */
export function smallCellWith(truth: Truth, fen: number, ctx: Context): string | null {
  for (const key of truth.amounts.get(fen) ?? []) {
    const [kind, when, scope] = key.split('|');
    if (ctx.scope !== null && scope !== ctx.scope) continue;
    const dates = kind === 'S' ? [when!] : when!.split('_');
    if (ctx.dates !== null && !dates.some((d) => ctx.dates!.includes(d))) continue;
    return key;
  }
  return null;
}

/** The dates a published file is about, from its path: snapshots/<date>.json, periods/<start>_<end>.json, exports/<period>/. */
export function datesOf(rel: string): string[] | null {
  const m = /(?:^|\/)(?:snapshots|periods|exports)\/(\d{4}-\d{2}-\d{2})(?:_(\d{4}-\d{2}-\d{2}))?(?:\.json$|\/)/.exec(rel);
  return m ? [m[1]!, ...(m[2] ? [m[2]] : [])] : null;
}

export const MIN_YUAN = 100;
const MIN_FEN = MIN_YUAN * 100;
const YUAN = /^-?\d+(\.\d{1,2})?$/;
/** JSON property names holding amounts in fen (src/schema/output.ts); everything below assetBridge is one. */
const AMOUNT_FIELD = /^(aum|deposits|avgAum|avgDeposits|change|assetBridge)$/;
/** A CSV header naming the 元 unit (src/exports/csv.ts writes "（元）" / " (CNY)"). */
const AMOUNT_HEADER = /元|CNY/;

const fenOf = (text: string) => Math.abs(Math.round(Number(text) * 100));

export function jsonAmountFindings(truth: Truth, file: string, rel: string, text: string): Finding[] {
  const out: Finding[] = [];
  const dates = datesOf(rel);
  const hit = (fen: number, at: string, scope: string | null, what: string) => {
    const cell = fen >= MIN_FEN ? smallCellWith(truth, fen, { scope, dates }) : null;
    if (cell) out.push({ check: 'amounts', kind: 'row-amount', file, location: `${at}${what} equals one customer's amount in small cell ${cell}` });
  };
  const walk = (v: unknown, at: string, amountField: boolean, scope: string | null) => {
    if (typeof v === 'number') {
      if (amountField && Number.isInteger(v)) hit(Math.abs(v), at, scope, '');
    } else if (typeof v === 'string') {
      const t = v.replace(/,/g, '').trim();
      if (YUAN.test(t)) hit(fenOf(t), at, scope, ' (text)');
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`, amountField, scope));
    else if (v && typeof v === 'object') {
      // Inside a scope object ({branch, …}) the scope is known: null branch = the bank.
      const s = 'branch' in v ? (v.branch === null ? '*' : `b:${String(v.branch)}`) : scope;
      for (const [k, x] of Object.entries(v)) walk(x, at ? `${at}.${k}` : k, amountField || AMOUNT_FIELD.test(k), s);
    }
  };
  walk(JSON.parse(text), '', false, null);
  return out;
}

/** scope: the CSV's scope key from its path (null when not known). */
export function csvAmountFindings(truth: Truth, file: string, rel: string, scope: string | null, text: string): Finding[] {
  const dates = datesOf(rel);
  const out: Finding[] = [];
  const rows = csvRows(text);
  const amountCol = (rows[0] ?? []).map((h) => AMOUNT_HEADER.test(h));
  rows.forEach((row, r) =>
    row.forEach((field, c) => {
      const t = field.trim();
      const cell = r > 0 && amountCol[c] && YUAN.test(t) && fenOf(t) >= MIN_FEN ? smallCellWith(truth, fenOf(t), { scope, dates }) : null;
      if (cell) out.push({ check: 'amounts', kind: 'row-amount', file, location: `row ${r + 1}, column ${c + 1} equals one customer's amount in small cell ${cell}` });
    }),
  );
  return out;
}
