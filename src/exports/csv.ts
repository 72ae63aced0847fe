// A chart's data table as CSV for Excel: UTF-8 with a BOM (Excel reads Chinese
// correctly only with it), CRLF rows, numbers in plain units (元, percent) at full
// precision, withheld cells marked as withheld rather than left blank or 0, and
// text that a spreadsheet would run as a formula neutralised.
import type { Cell, DataTable } from '../charts/types.ts';
import { plainNumber, type Lang } from '../lib/format.ts';

const BOM = '\uFEFF';

/** The marker a withheld cell gets: never a number, never empty (empty = not defined). */
export const SUPPRESSED_MARK: Record<Lang, string> = { zh: '已隐藏', en: 'suppressed' };

const UNIT_SUFFIX: Record<NonNullable<Cell['kind']>, Record<Lang, string> | null> = {
  amount: { zh: '（元）', en: ' (CNY)' },
  percent: { zh: '（%）', en: ' (%)' },
  points: { zh: '（百分点）', en: ' (pp)' },
  count: null,
  multiple: null,
  decimal: null,
};

/** The cell's number in the unit the header states: amounts fen → 元, ratios → percent. */
function numberIn(cell: Cell, value: number): string {
  switch (cell.kind) {
    case 'amount':
      return plainNumber(value / 100);
    case 'percent':
    case 'points':
      return plainNumber(value * 100);
    default:
      return plainNumber(value);
  }
}

/**
 * Spreadsheet formula injection: a text cell starting with = + - @ (or a tab or
 * CR, which Excel strips before looking) would be evaluated; a leading apostrophe
 * makes it literal text. Numbers are written as numbers and never reach here.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

export function cellField(cell: Cell, lang: Lang): string {
  if (cell.suppressed) return SUPPRESSED_MARK[lang];
  if (typeof cell.value === 'number') return Number.isFinite(cell.value) ? numberIn(cell, cell.value) : '';
  if (cell.value === null) return '';
  return quote(neutraliseFormula(cell.value));
}

/** The unit a column's numbers are written in, from the kinds of its cells. */
function columnKind(table: DataTable, col: number): Cell['kind'] {
  for (const row of table.rows) {
    const k = row[col]?.kind;
    if (k) return k;
  }
  return undefined;
}

export function tableCsv(table: DataTable, lang: Lang): string {
  const header = table.columns.map((c, i) => {
    const kind = columnKind(table, i);
    const suffix = kind ? UNIT_SUFFIX[kind]?.[lang] : undefined;
    return quote(neutraliseFormula(`${c.label}${suffix ?? ''}`));
  });
  const lines = [header.join(','), ...table.rows.map((row) => row.map((c) => cellField(c, lang)).join(','))];
  return `${BOM}${lines.join('\r\n')}\r\n`;
}
