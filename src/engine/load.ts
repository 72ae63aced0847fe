// Load one snapshot into a DuckDB table of valid rows. Every row check runs as
// SQL inside the single scan that builds the table; JavaScript only reads the
// bytes once (hash, encoding) and, when rows were rejected, finds the physical
// lines of the few example rows.
import type { DuckDBConnection } from '@duckdb/node-api';
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import { REQUIRED_COLUMNS, type CanonicalColumn, type Config } from '../lib/config.ts';
import { datesInName, SNAPSHOT_FORMATS, type SnapshotFile } from './discover.ts';
import { prepareCsv, sha256File, TEXT_ENCODINGS } from './encoding.ts';
import { InputError, isOutOfMemory } from './errors.ts';
import { quoteIdent as ident, quoteLiteral as lit } from './aggregate.ts';
import { guardFile, type FileGuard } from './fileGuard.ts';
import { parquetTypeProblem } from './parquetTypes.ts';
import { aliasTable, firstRecord, mapHeader, RecordScanner, splitRecord, type HeaderMapping, type NewlineStyle, type RecordSpan } from './header.ts';

/** Why a row was left out, in the order reports list them. */
export const REJECT_REASONS = [
  'missing_customer_id',
  'duplicate_customer_id',
  'missing_branch',
  'missing_aum',
  'invalid_aum',
  'negative_aum',
  'missing_deposits',
  'invalid_deposits',
  'negative_deposits',
  'amount_too_large',
  'open_date_after_snapshot',
  'wrong_field_count',
  'repeated_header',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Why a row was kept without one of its optional values (treated as missing). */
export const WARNING_REASONS = ['invalid_open_date'] as const;
export type WarningReason = (typeof WARNING_REASONS)[number];

/**
 * The largest amount, in fen, that a row may hold and the largest total of a
 * file (per measure) or of a period's changes: integers up to 2^53 − 1 add up
 * exactly in the doubles every later stage computes with.
 */
export const MAX_EXACT_FEN = Number.MAX_SAFE_INTEGER;

/** Fen as 元 with thousands separators, exact for any size. */
export function fenAsYuan(fen: bigint): string {
  const neg = fen < 0n;
  const a = neg ? -fen : fen;
  return `${neg ? '-' : ''}${(a / 100n).toLocaleString('en-US')}.${String(a % 100n).padStart(2, '0')} 元`;
}

/** Where a file's snapshot date came from. */
export const DATE_SOURCES = ['column', 'name', 'config'] as const;

export const RejectExample = z
  .object({
    /** A reject reason, or a warning reason for a row kept without an optional value. */
    reason: z.enum([...REJECT_REASONS, ...WARNING_REASONS]),
    /** Physical line in the file (1 = header); for Parquet, the 1-based row number. */
    line: z.number().int().min(1),
    /** The column as written in the file's header; null for wrong_field_count and repeated_header. */
    column: z.string().nullable(),
    /** The offending text; null for customer_id (ids never leave the pipeline) and repeated_header. For wrong_field_count: "N fields, expected M". */
    value: z.string().nullable(),
  })
  .strict();
export type RejectExample = z.infer<typeof RejectExample>;

const Count = z.number().int().min(0);

/** What loading one file found; the pipeline cache keeps it, so it is a schema. */
export const FileReport = z
  .object({
    file: z.string(),
    path: z.string(),
    format: z.enum(SNAPSHOT_FORMATS),
    encoding: z.enum(TEXT_ENCODINGS).nullable(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** YYYY-MM-DD */
    snapshotDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    /** Where snapshotDate came from: the snapshot_date column, the file name, or config snapshotDates. */
    dateSource: z.enum(DATE_SOURCES),
    /** Customer rows: every record but the header and blank lines. */
    rowsRead: Count,
    rowsUsed: Count,
    /** Lines of only delimiters and whitespace, skipped like empty lines (which are not counted at all); not part of rowsRead. */
    rowsSkipped: Count,
    /** Non-zero counts only, in REJECT_REASONS order; rowsRead = rowsUsed + Σ rejected. */
    rejected: z.partialRecord(z.enum(REJECT_REASONS), Count),
    /** Used rows kept without an optional value, by reason (non-zero counts only, in WARNING_REASONS order). */
    warned: z.partialRecord(z.enum(WARNING_REASONS), Count),
    /** First 5 per reason, grouped by reason in REJECT_REASONS then WARNING_REASONS order, each group in file order. */
    examples: z.array(RejectExample),
    /** Rows kept although deposits exceed aum. */
    depositsAboveAum: Count,
    ignoredColumns: z.array(z.string()),
    /** Header as written → canonical column. */
    headerMap: z.record(z.string(), z.string()),
  })
  .strict();
export type FileReport = z.infer<typeof FileReport>;

export interface LoadOptions {
  /** Where transcoded or decompressed copies go; removed again before returning. */
  tmpDir: string;
  /**
   * The file's sha256, taken after `guard` was: a Parquet file that has not
   * changed since is not read a second time for its hash (a CSV file still is,
   * since that read also checks and transcodes its text).
   */
  known?: { sha256: string; guard: FileGuard };
  /** Called with bytesRead while the file is hashed and checked, then once with the row count. */
  onProgress?: (p: { rowsRead: number; bytesRead?: number }) => void;
}

const EXAMPLES_PER_REASON = 5;
/** Internal reason code for a snapshot_date that differs from the file's date: a whole-file error, not a rejected row. */
const SNAPSHOT_DATE_MISMATCH = 255;
/** Internal reason code for a line of only delimiters and whitespace: skipped, neither read nor rejected. */
const BLANK_LINE = 254;
/** Internal reason code for amount_too_large in deposits (code('amount_too_large') is the aum one), so each example names its column. */
const DEPOSITS_TOO_LARGE = 253;
const code = (r: RejectReason) => REJECT_REASONS.indexOf(r) + 1;

/** Reason and column an internal reason code stands for. */
function reasonOfCode(c: number): { reason: RejectReason; column: CanonicalColumn | null } | null {
  if (c === DEPOSITS_TOO_LARGE) return { reason: 'amount_too_large', column: 'deposits' };
  const reason = REJECT_REASONS[c - 1];
  return reason ? { reason, column: columnOf(reason) } : null;
}


// ---------------------------------------------------------------------------
// SQL for one source column: text columns (all of CSV) and typed Parquet ones.

type ColumnKind = 'text' | 'exact' | 'float' | 'date' | 'timestamp';

interface SourceColumn {
  /** A VARCHAR expression when kind is 'text'. */
  expr: string;
  kind: ColumnKind;
  /** The reader already turns empty fields into NULL (DuckDB's CSV reader does). */
  emptyIsNull?: boolean;
}

/** How a typed (Parquet) column is read; any type not named here is checked as its text. */
function typedColumn(name: string, duckType: string): SourceColumn {
  const t = duckType.toUpperCase();
  const expr = ident(name);
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|DECIMAL)\b/.test(t)) return { expr, kind: 'exact' };
  if (/^(FLOAT|DOUBLE|REAL)\b/.test(t)) return { expr, kind: 'float' };
  if (t === 'DATE') return { expr, kind: 'date' };
  if (t.startsWith('TIMESTAMP')) return { expr, kind: 'timestamp' };
  if (t === 'VARCHAR') return { expr, kind: 'text' };
  return { expr: `CAST(${expr} AS VARCHAR)`, kind: 'text' };
}

const asText = (c: SourceColumn) => (c.kind === 'text' ? c.expr : `CAST(${c.expr} AS VARCHAR)`);

/** An id or code: surrounding spaces dropped, blank = NULL. The LIKE test spares the usual clean value trim()'s copy. */
function textValue(c: SourceColumn): string {
  const x = asText(c);
  return `(CASE WHEN ${x} LIKE ' %' OR ${x} LIKE '% ' THEN nullif(trim(${x}), '') ELSE ${c.emptyIsNull ? x : `nullif(${x}, '')`} END)`;
}

// Digits with optional thousands separators in groups of three and an optional
// fraction; DuckDB's own cast also takes '1_000', '1e3', '.5', which the
// contract counts as invalid.
const NUMBER = String.raw` *[+-]?([0-9]+|[0-9]{1,3}(,[0-9]{3})+)(\.[0-9]+)? *`;

/**
 * Amounts become integer units of 10^-scale of the input unit: fen for 元
 * (scale 2), and 10^-6 万元 (= fen) for 万元 (scale 6). The DECIMAL casts
 * round half away from zero. Widths are chosen so that scaling can never
 * overflow (DuckDB raises an error, not NULL, on DECIMAL overflow): values of
 * 10^14 元 or 10^12 万元 and more are invalid.
 */
const valueType = (scale: number) => (scale === 2 ? 'DECIMAL(16,2)' : `DECIMAL(18,${scale})`);
const toUnits = (dec: string, scale: number) =>
  scale === 2 ? `CAST(${dec} * 100 AS BIGINT)` : `TRY_CAST(CAST(${dec} AS DECIMAL(38,${scale})) * ${10 ** scale} AS BIGINT)`;

/** For text columns: the value as DECIMAL(16,2), computed once in the scan so amountValue can test the text against its rendering. */
function amountTwoPlaces(c: SourceColumn): string | null {
  return c.kind === 'text' ? `TRY_CAST(${c.expr} AS DECIMAL(16,2))` : null;
}

/** Amount in units (see valueType), NULL when missing or invalid. `two` is the column of amountTwoPlaces. */
function amountValue(c: SourceColumn, scale: number, two: string | null): string {
  const cast = (x: string) => toUnits(`TRY_CAST(${x} AS ${valueType(scale)})`, scale);
  if (c.kind === 'exact') return cast(c.expr);
  // The shortest round-trip text of a double is what the exporter meant (1234.565, not 1234.5649999…).
  if (c.kind === 'float') return `(CASE WHEN isfinite(${c.expr}) THEN ${cast(`CAST(${c.expr} AS VARCHAR)`)} END)`;
  const x = c.expr;
  // Text that is the value's own rendering with two decimals or none ("1234.50",
  // "1234") is valid as it stands, which spares most rows the pattern match.
  return `(CASE WHEN CAST(${two} AS VARCHAR) = ${x} OR CAST(CAST(${two} AS BIGINT) AS VARCHAR) = ${x} THEN ${toUnits(two!, scale)}
      WHEN regexp_full_match(${x}, ${lit(NUMBER)}) THEN ${cast(`(CASE WHEN contains(${x}, ',') THEN replace(${x}, ',', '') ELSE ${x} END)`)} END)`;
}

function amountMissing(c: SourceColumn): string {
  return c.kind === 'text' ? `(${c.expr} IS NULL OR trim(${c.expr}) = '')` : `${c.expr} IS NULL`;
}

/** Negative, including values that round to 0 fen such as -0.001. */
function amountNegative(c: SourceColumn, fen: string): string {
  if (c.kind !== 'text') return `(${c.expr} < 0)`;
  return `(${fen} < 0 OR (${fen} = 0 AND contains(${c.expr}, '-') AND regexp_matches(${c.expr}, '[1-9]')))`;
}

/**
 * An amount that has no value although it is a number as the contract writes
 * them (or a finite typed one): it is too large for the casts to fen.
 */
function amountWellFormed(c: SourceColumn): string {
  if (c.kind === 'exact') return 'TRUE';
  if (c.kind === 'float') return `isfinite(${c.expr})`;
  return `regexp_full_match(${c.expr}, ${lit(NUMBER)})`;
}

/** A well-formed amount (see amountWellFormed) below zero. */
function wellFormedNegative(c: SourceColumn): string {
  if (c.kind !== 'text') return `(${c.expr} < 0)`;
  return `(regexp_matches(${c.expr}, '^ *-') AND regexp_matches(${c.expr}, '[1-9]'))`;
}

// The date forms of the contract, also with a time of day after them, as exports
// of DATETIME columns write it ("2020-01-05 00:00:00"); the time is dropped.
const TIME = String.raw`[ T]([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,9})?)?`;
const DATE_SHAPE = String.raw` *[0-9]{4}(-[0-9]{1,2}-[0-9]{1,2}|/[0-9]{1,2}/[0-9]{1,2}|[0-9]{4}|年[0-9]{1,2}月[0-9]{1,2}日)(${TIME})? *`;
export const DATE_FORMS = 'YYYY-MM-DD, YYYY/M/D, YYYYMMDD or YYYY年M月D日, each perhaps followed by a time (2020-01-05 00:00:00)';

/** A date of the forms DATE_SHAPE takes that is a real date; NULL otherwise. */
function dateValue(c: SourceColumn): string {
  if (c.kind === 'date') return c.expr;
  if (c.kind === 'timestamp') return `CAST(${c.expr} AS DATE)`;
  const x = asText(c);
  // The glob takes the usual shape without the cost of a regular expression.
  return `(CASE WHEN ${x} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' THEN TRY_CAST(${x} AS DATE)
      WHEN regexp_full_match(${x}, ${lit(DATE_SHAPE)}) THEN CAST(try_strptime(regexp_replace(trim(${x}), '[ T].*$', ''), ['%Y-%m-%d', '%Y/%m/%d', '%Y%m%d', '%Y年%m月%d日']) AS DATE) END)`;
}

/** Blank text (no field, or only whitespace, full-width and no-break spaces included), for the blank-line test. */
const BLANK_TEXT = String.raw`[\s\x{3000}\x{A0}]*`;
const blankText = (x: string) => `(${x} IS NULL OR regexp_full_match(${x}, ${lit(BLANK_TEXT)}))`;

function datePresent(c: SourceColumn): string {
  return c.kind === 'text' ? `(${c.expr} IS NOT NULL AND trim(${c.expr}) <> '')` : `${c.expr} IS NOT NULL`;
}

type Columns = Partial<Record<CanonicalColumn, SourceColumn>>;

/**
 * A record that repeats the header (files joined with `cat`, each with its own
 * header): every required column holds a header name of that column, any alias
 * (the parts may come from different exports), perhaps after a BOM. Such a row
 * is no customer; it is rejected with a reason of its own rather than as an
 * invalid amount. `id`, `br`, `a_raw`, `d_raw` are the scan's columns; a typed
 * Parquet amount cannot hold a header.
 */
function repeatedHeaderSql(cols: Columns, aliases: Map<string, CanonicalColumn>): string {
  if (cols.aum!.kind !== 'text') return 'FALSE';
  const raw: Record<(typeof REQUIRED_COLUMNS)[number], string> = {
    customer_id: 'id',
    branch: 'br',
    aum: 'a_raw',
    deposits: `CAST(d_raw AS VARCHAR)`,
  };
  return `(${REQUIRED_COLUMNS.map((c) => {
    const names = [...aliases].filter(([, v]) => v === c).map(([k]) => lit(k));
    // list_contains, not IN: DuckDB plans a long IN list as a join, which loses the file order of rowids.
    return `list_contains([${names.join(', ')}], lower(trim(${raw[c]}, ' ' || chr(9) || chr(65279))))`;
  }).join(' AND ')})`;
}

/**
 * The one statement that scans the file and builds the table, with a reason
 * code per row (NULL = kept) and, when there is an open_date column, od_warn
 * (the row is kept, its unreadable open date treated as missing). `blankFields`
 * are the fields no mapped column reads, for the blank-line test; null where
 * rows are no lines (Parquet).
 */
function stageSql(
  table: string,
  from: string,
  cols: Columns,
  scale: number,
  snapshotDate: string,
  aliases: Map<string, CanonicalColumn>,
  blankFields: string[] | null,
): string {
  const need = (c: CanonicalColumn) => cols[c]!;
  const [id, branch, aum, deposits] = [need('customer_id'), need('branch'), need('aum'), need('deposits')];
  const od = cols.open_date;
  const sd = cols.snapshot_date;
  const D = `DATE ${lit(snapshotDate)}`;
  const [aDec, dDec] = [amountTwoPlaces(aum), amountTwoPlaces(deposits)];
  const scan = [
    `${textValue(id)} AS id`,
    `${textValue(branch)} AS br`,
    `${aum.expr} AS a_raw`,
    ...(aDec ? [`${aDec} AS a_dec`] : []),
    `${deposits.expr} AS d_raw`,
    ...(dDec ? [`${dDec} AS d_dec`] : []),
    od ? `${od.expr} AS od_raw, ${dateValue(od)} AS od` : 'NULL::DATE AS od',
    ...(sd ? [`${dateValue(sd)} AS sd`] : []),
    ...(sd && blankFields ? [`${asText(sd)} AS sd_raw`] : []),
    ...(blankFields ?? []).map((f, i) => `${f} AS x${i}`),
  ].join(',\n      ');
  const raw = (c: SourceColumn, alias: string): SourceColumn => ({ expr: alias, kind: c.kind });
  const [ar, dr] = [raw(aum, 'a_raw'), raw(deposits, 'd_raw')];
  const values = `id, br, a_raw, ${amountValue(ar, scale, aDec && 'a_dec')} AS a, d_raw, ${amountValue(dr, scale, dDec && 'd_dec')} AS d, ${
    od ? 'od_raw, ' : ''
  }od${sd ? ', sd' : ''}${sd && blankFields ? ', sd_raw' : ''}${(blankFields ?? []).map((_, i) => `, x${i}`).join('')}`;
  // The header and blank-line tests sit inside the branches such rows take (their
  // amounts are no numbers), so valid rows never pay for them.
  const header = repeatedHeaderSql(cols, aliases);
  const blank = blankFields
    ? `(${[
        blankText('id'),
        blankText('br'),
        blankText('a_raw'),
        blankText('d_raw'),
        ...(od ? [blankText('od_raw')] : []),
        ...(sd ? [blankText('sd_raw')] : []),
        ...blankFields.map((_, i) => blankText(`x${i}`)),
      ].join(' AND ')})`
    : 'FALSE';
  const tooLarge = `> ${MAX_EXACT_FEN}`;
  const amountCases = (r: SourceColumn, v: string, m: 'aum' | 'deposits', large: number, extra: string) => [
    `WHEN ${v} IS NULL THEN (CASE ${extra}WHEN ${amountMissing(r)} THEN ${code(`missing_${m}`)} WHEN ${amountWellFormed(r)} THEN (CASE WHEN ${wellFormedNegative(r)} THEN ${code(`negative_${m}`)} ELSE ${large} END) ELSE ${code(`invalid_${m}`)} END)`,
    `WHEN ${amountNegative(r, v)} THEN ${code(`negative_${m}`)}`,
    `WHEN ${v} ${tooLarge} THEN ${large}`,
  ];
  const cases = [
    ...(sd ? [`WHEN sd IS DISTINCT FROM ${D} THEN (CASE WHEN ${header} THEN ${code('repeated_header')} WHEN ${blank} THEN ${BLANK_LINE} ELSE ${SNAPSHOT_DATE_MISMATCH} END)`] : []),
    ...(blankFields ? [`WHEN a IS NULL AND ${blank} THEN ${BLANK_LINE}`] : []),
    `WHEN id IS NULL THEN ${code('missing_customer_id')}`,
    `WHEN br IS NULL THEN ${code('missing_branch')}`,
    ...amountCases(ar, 'a', 'aum', code('amount_too_large'), `WHEN ${header} THEN ${code('repeated_header')} `),
    ...amountCases(dr, 'd', 'deposits', DEPOSITS_TOO_LARGE, ''),
    ...(od ? [`WHEN od > ${D} THEN ${code('open_date_after_snapshot')}`] : []),
  ].join('\n      ');
  return `CREATE OR REPLACE TABLE ${ident(table)} AS
  SELECT id AS customer_id, br AS branch, a AS aum, d AS deposits, od AS open_date,
    CAST(CASE
      ${cases}
    END AS UTINYINT) AS reason${
      // A CASE, not AND: in a projection DuckDB evaluates both sides of an AND on every row, and the trim is costly.
      od ? `,\n    (CASE WHEN od IS NULL THEN ${datePresent(raw(od, 'od_raw'))} END) AS od_warn` : ''
    }
  FROM (SELECT ${values} FROM (SELECT
      ${scan}
    FROM ${from}))`;
}

// ---------------------------------------------------------------------------
// Sources

interface Source {
  /** The scan that builds the table. */
  from: string;
  /** The same rows, for a quick look that must not touch the scan's bookkeeping. */
  peek: string;
  cols: Columns;
  mapping: HeaderMapping;
  /** Fields that no mapped column reads, for the blank-line test; null where rows are no lines (Parquet). */
  blankFields: string[] | null;
  /** Over a row of `peek`: whether it is a blank line; null where rows are no lines (Parquet). */
  peekBlank: string | null;
  /**
   * Byte offsets of the records the reader itself refused (a wrong field count),
   * ascending, and which of them are blank lines (only delimiters and whitespace).
   */
  readerRejects(): Promise<{ offsets: number[]; blank: Set<number> }>;
  /**
   * Line and raw fields of table rows (0-based rowids, which skip the refused
   * records) and of refused records (byte offsets). `refused` must hold every
   * refused record, to keep rowids and records in step.
   */
  locate(rows: number[], refused: number[], wantRefused: number[]): Promise<{ rows: Map<number, Located>; refused: Map<number, Located> }>;
  cleanup(): Promise<void>;
}

interface Located {
  line: number;
  fields: string[];
}

const isGzip = (path: string) => path.toLowerCase().endsWith('.gz');

async function readerSafePath(path: string, tmpDir: string, cleanups: (() => Promise<void>)[]): Promise<string> {
  // DuckDB expands glob characters in paths; give it a plain name instead
  // (keeping the suffix, from which it tells gzip).
  if (!/[*?[\]{}]/.test(path)) return path;
  const suffix = path.toLowerCase().match(/\.(parquet|csv\.gz|csv)$/)?.[0] ?? '.csv';
  const link = join(tmpDir, `snapshot-${randomUUID().slice(0, 8)}${suffix}`);
  await symlink(path, link);
  cleanups.push(() => rm(link, { force: true }));
  return link;
}

/** The bytes DuckDB reads: the file's own, inflated when it is gzipped. */
async function* textChunks(path: string): AsyncGenerator<Buffer> {
  const raw = createReadStream(path, { highWaterMark: 4 << 20 });
  const inflate = isGzip(path) ? createGunzip({ chunkSize: 1 << 20 }) : null;
  if (inflate) raw.on('error', (e) => inflate.destroy(e));
  try {
    for await (const chunk of inflate ? raw.pipe(inflate) : raw) yield chunk as Buffer;
  } finally {
    raw.destroy();
    inflate?.destroy();
  }
}

/** Up to `max` bytes from the start of the text; `complete` when that is all of it. */
async function textStart(path: string, max: number): Promise<{ head: Buffer; complete: boolean }> {
  const parts: Buffer[] = [];
  let len = 0;
  for await (const chunk of textChunks(path)) {
    parts.push(chunk);
    len += chunk.length;
    if (len > max) return { head: Buffer.concat(parts).subarray(0, max), complete: false };
  }
  return { head: Buffer.concat(parts), complete: true };
}

/** Whether the first 64 KB (up to its last line break) are valid UTF-8. */
async function startsAsUtf8(path: string): Promise<boolean> {
  const { head, complete } = await textStart(path, 64 << 10).catch(() => ({ head: Buffer.alloc(0), complete: true }));
  const cut = complete ? head.length : head.lastIndexOf(0x0a) + 1;
  return cut > 0 && isUtf8(head.subarray(0, cut));
}

async function readHeader(path: string, shownPath: string, delimiter: string): Promise<{ fields: string[]; newline: NewlineStyle }> {
  for (let max = 64 << 10; ; max *= 4) {
    const { head, complete } = await textStart(path, max);
    if (complete && head.length === 0) throw new InputError('the file is empty; expected a header line', { file: shownPath });
    const rec = firstRecord(head, complete);
    if (rec) {
      let text = head.toString('utf8', 0, rec.end);
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      // RFC 4180 lets a quoted name hold a line break, but no real header does: it is a quote never closed.
      if (/[\r\n]/.test(text)) throw new InputError('a quote in the header line is never closed', { file: shownPath, line: 1 });
      return { fields: splitRecord(text, delimiter), newline: rec.newline };
    }
    if (max >= 1 << 20) throw new InputError('no end of the header line in the first 1 MB', { file: shownPath, line: 1 });
  }
}

/** The most recent chunks of a stream, enough to cut out any record that ends in the newest one. */
class ChunkWindow {
  private chunks: { start: number; bytes: Buffer }[] = [];
  private end = 0;

  /** DuckDB refuses records over 2 MB; with chunks of at most 4 MB, 8 MB of history always holds a whole record. */
  private readonly keep: number;
  constructor(keep = 8 << 20) {
    this.keep = keep;
  }

  add(chunk: Buffer): void {
    this.chunks.push({ start: this.end, bytes: chunk });
    this.end += chunk.length;
    while (this.chunks.length > 1 && this.end - this.chunks[1]!.start >= this.keep) this.chunks.shift();
  }

  slice(start: number, end: number): Buffer {
    const parts = this.chunks
      .filter((c) => c.start < end && c.start + c.bytes.length > start)
      .map((c) => c.bytes.subarray(Math.max(0, start - c.start), Math.min(c.bytes.length, end - c.start)));
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
}

/** Physical lines and fields of records, by one lazy pass that stops at the last one needed. */
async function locateCsvRecords(
  path: string,
  delimiter: string,
  newline: NewlineStyle,
  rows: number[],
  refused: number[],
  wantRefused: number[],
): Promise<{ rows: Map<number, Located>; refused: Map<number, Located> }> {
  const wantRows = new Set(rows);
  const wantBad = new Set(wantRefused);
  let remaining = wantRows.size + wantBad.size;
  if (remaining === 0) return { rows: new Map(), refused: new Map() };
  let p = 0;
  let okIndex = -1;
  const scanner = new RecordScanner(delimiter, newline);
  const window = new ChunkWindow();
  const located = (r: RecordSpan): Located => {
    let text = window.slice(r.start, r.end).toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    return { line: r.line, fields: splitRecord(text, delimiter) };
  };
  const out = { rows: new Map<number, Located>(), refused: new Map<number, Located>() };
  const onRecord = (r: RecordSpan): boolean => {
    if (r.ordinal === 0) return false;
    // DuckDB names a refused record by an offset between the blank lines before it and its end.
    while (p < refused.length && refused[p]! < r.blankStart) p++;
    if (p < refused.length && refused[p]! <= r.end) {
      for (; p < refused.length && refused[p]! <= r.end; p++) {
        if (wantBad.has(refused[p]!)) out.refused.set(refused[p]!, located(r)), remaining--;
      }
    } else {
      okIndex++;
      if (wantRows.has(okIndex)) out.rows.set(okIndex, located(r)), remaining--;
    }
    return remaining <= 0;
  };
  const chunks = textChunks(path);
  for await (const chunk of chunks) {
    window.add(chunk);
    if (!scanner.push(chunk, onRecord)) break;
  }
  scanner.finish(onRecord);
  await chunks.return(undefined);
  return out;
}

async function csvSource(
  conn: DuckDBConnection,
  file: SnapshotFile,
  config: Config,
  utf8Path: string,
  tmpDir: string,
): Promise<Source> {
  const delimiter = config.csv.delimiter;
  const header = await readHeader(utf8Path, file.path, delimiter);
  const mapping = mapHeader(header.fields, config.columns, file.path);
  const cleanups: (() => Promise<void>)[] = [];
  const readPath = await readerSafePath(utf8Path, tmpDir, cleanups);
  const tag = randomUUID().replace(/-/g, '').slice(0, 12);
  const rejectsTable = `tierscope_rejects_${tag}`;
  const rejectsScan = `tierscope_scans_${tag}`;
  cleanups.push(async () => {
    await conn.run(`DROP TABLE IF EXISTS temp.${rejectsTable}`);
    await conn.run(`DROP TABLE IF EXISTS temp.${rejectsScan}`);
  });
  const columnsSpec = Array.from({ length: mapping.fieldCount }, (_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  // Explicit dialect and columns: no sniffing, every field read as text so the
  // checks see exactly what the file holds. Records with a wrong number of
  // fields are set aside in the rejects table rather than failing the scan.
  const reader = (extra: string) =>
    `read_csv(${lit(readPath)}, header = true, auto_detect = false, delim = ${lit(delimiter)}, quote = '"', escape = '"',
    strict_mode = true, columns = {${columnsSpec}}, ignore_errors = true${extra})`;
  const from = reader(`, store_rejects = true, rejects_table = ${lit(rejectsTable)}, rejects_scan = ${lit(rejectsScan)}`);
  const locate = (rows: number[], refused: number[], wantRefused: number[]) =>
    locateCsvRecords(utf8Path, delimiter, header.newline, rows, refused, wantRefused);
  const cols: Columns = {};
  for (const [c, i] of Object.entries(mapping.index) as [CanonicalColumn, number][]) cols[c] = { expr: `c${i}`, kind: 'text', emptyIsNull: true };
  const mapped = new Set(Object.values(mapping.index));
  const blankFields = Array.from({ length: mapping.fieldCount }, (_, i) => i)
    .filter((i) => !mapped.has(i))
    .map((i) => `c${i}`);
  // A refused record (too few or too many fields) is a blank line when its text holds only delimiters and whitespace.
  const blankLine = lit(`[\\s\\x{3000}\\x{A0}${delimiter === '\t' ? '' : delimiter}]*`);

  return {
    from,
    peek: reader(''),
    cols,
    mapping,
    blankFields,
    peekBlank: `(${Array.from({ length: mapping.fieldCount }, (_, i) => blankText(`c${i}`)).join(' AND ')})`,
    async readerRejects() {
      const rows = (
        await conn.runAndReadAll(
          `SELECT error_type, line_byte_position AS pos FROM temp.${rejectsTable}
           WHERE error_type NOT IN ('MISSING COLUMNS', 'TOO MANY COLUMNS') ORDER BY line_byte_position LIMIT 1`,
        )
      ).getRowObjectsJS();
      const bad = rows[0];
      if (bad) {
        const pos = Number(bad.pos);
        const at = (await locate([], [pos], [pos])).refused.get(pos);
        const what =
          bad.error_type === 'UNQUOTED VALUE'
            ? 'a quoted field is not closed properly (a quote inside a quoted field must be doubled: "")'
            : bad.error_type === 'LINE SIZE OVER MAXIMUM'
              ? 'a record longer than 2 MB, which no customer row is (a quote that is never closed, or a damaged file)'
              : `the CSV reader cannot read this record (${String(bad.error_type).toLowerCase()})`;
        throw new InputError(what, at ? { file: file.path, line: at.line } : { file: file.path });
      }
      const res = await conn.runAndReadAll(
        `SELECT line_byte_position, bool_and(regexp_full_match(coalesce(csv_line, ''), ${blankLine})) FROM temp.${rejectsTable} GROUP BY 1 ORDER BY 1`,
      );
      const offsets: number[] = [];
      const blank = new Set<number>();
      for (const [pos, isBlank] of res.getRows()) {
        offsets.push(Number(pos));
        if (isBlank === true) blank.add(Number(pos));
      }
      return { offsets, blank };
    },
    locate,
    async cleanup() {
      for (const c of cleanups.reverse()) await c();
    },
  };
}

async function parquetSource(conn: DuckDBConnection, file: SnapshotFile, config: Config, tmpDir: string): Promise<Source> {
  const cleanups: (() => Promise<void>)[] = [];
  const readPath = await readerSafePath(file.path, tmpDir, cleanups);
  let described: Record<string, unknown>[];
  try {
    described = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${lit(readPath)})`)).getRowObjectsJS();
  } catch (e) {
    throw new InputError(`cannot read the Parquet file: ${(e as Error).message.split('\n')[0]}`, { file: file.path });
  }
  const names = described.map((r) => String(r.column_name));
  const types = described.map((r) => String(r.column_type));
  const mapping = mapHeader(names, config.columns, file.path);
  const cols: Columns = {};
  for (const [c, i] of Object.entries(mapping.index) as [CanonicalColumn, number][]) {
    const problem = parquetTypeProblem(c, types[i]!);
    if (problem) throw new InputError(problem, { file: file.path, column: names[i]! });
    cols[c] = typedColumn(names[i]!, types[i]!);
  }
  const from = `read_parquet(${lit(readPath)})`;
  return {
    from,
    peek: from,
    cols,
    mapping,
    blankFields: null,
    peekBlank: null,
    readerRejects: async () => ({ offsets: [], blank: new Set<number>() }),
    async locate(rows) {
      const out = new Map<number, Located>();
      if (rows.length) {
        const select = names.map((n) => `CAST(${ident(n)} AS VARCHAR)`).join(', ');
        const res = await conn.runAndReadAll(
          `SELECT file_row_number, ${select} FROM read_parquet(${lit(readPath)}, file_row_number = true) WHERE file_row_number IN (${rows.join(', ')})`,
        );
        for (const r of res.getRows()) {
          const n = Number(r[0]);
          out.set(n, { line: n + 1, fields: r.slice(1).map((v) => (v === null ? '' : String(v))) });
        }
      }
      return { rows: out, refused: new Map() };
    },
    async cleanup() {
      for (const c of cleanups.reverse()) await c();
    },
  };
}

// ---------------------------------------------------------------------------

async function one(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>> {
  return (await conn.runAndReadAll(sql)).getRowObjectsJS()[0] ?? {};
}

type DateSource = (typeof DATE_SOURCES)[number];

/**
 * The date a file's name or the config gives it. A name holding two or more
 * different dates (`客户_2025-3-31_导出20250401.csv`) decides nothing: the
 * config must, or a snapshot_date column (`column` says whether there is one).
 */
function dateWithoutColumn(file: SnapshotFile, config: Config, column: boolean): { date: string; source: DateSource } | null {
  const mapped = Object.hasOwn(config.snapshotDates, file.name) ? config.snapshotDates[file.name] : undefined;
  if (mapped) return { date: mapped, source: 'config' };
  const dates = datesInName(file.name);
  if (dates.length > 1) {
    if (column) return null;
    const listed = `${dates.slice(0, -1).join(', ')} and ${dates.at(-1)}`;
    throw new InputError(
      `the file name holds ${dates.length === 2 ? 'two' : dates.length} dates, ${listed}, and nothing says which is the snapshot date; add a snapshot_date column, rename the file to hold one date, or map it in the config: "snapshotDates": {${JSON.stringify(file.name)}: "${dates[0]}"}`,
      { file: file.path },
    );
  }
  const date = file.dateFromName ?? dates[0];
  return date ? { date, source: 'name' } : null;
}

/** The date every row must carry: config snapshotDates, else the first row's snapshot_date, else the file name's. */
async function snapshotDateOf(conn: DuckDBConnection, file: SnapshotFile, config: Config, src: Source): Promise<{ date: string; source: DateSource }> {
  const sd = src.cols.snapshot_date;
  const given = dateWithoutColumn(file, config, sd !== undefined);
  if (!sd) {
    if (given) return given;
    throw new InputError(
      'no snapshot date: the file has no snapshot_date column and its name holds no date (YYYY-MM-DD, YYYY-M-D, YYYY年M月D日 or YYYYMMDD); rename it, e.g. 2025-01-31.csv',
      { file: file.path },
    );
  }
  if (given?.source === 'config') return given;
  // The first row that is no blank line; its rowid is its place among the first rows read.
  const PEEK = 1000;
  const first = (
    await conn.runAndReadAll(
      `SELECT CAST(${dateValue(sd)} AS VARCHAR) AS d, CAST(${sd.expr} AS VARCHAR) AS raw, ${src.peekBlank ?? 'FALSE'} AS blank FROM ${src.peek} LIMIT ${PEEK}`,
    )
  ).getRowObjectsJS();
  const rowid = first.findIndex((r) => r.blank !== true);
  let row: Record<string, unknown> | undefined = first[rowid];
  if (!row && first.length === PEEK)
    row = await one(conn, `SELECT CAST(${dateValue(sd)} AS VARCHAR) AS d, CAST(${sd.expr} AS VARCHAR) AS raw FROM ${src.peek} WHERE NOT ${src.peekBlank ?? 'FALSE'} LIMIT 1`);
  if (row?.d) return { date: String(row.d), source: 'column' };
  if (!row || !('raw' in row)) {
    if (given) return given;
    throw new InputError('no snapshot date: the file has no rows and its name holds no single date', { file: file.path });
  }
  // Its line: the first record of the right field count that is no blank line (the
  // reader's refusals are not known yet, so locate counts every record as a row).
  let at: Located | undefined;
  if (rowid >= 0) {
    const near = Array.from({ length: rowid + 64 }, (_, i) => i);
    const records = (await src.locate(near, [], [])).rows;
    at = near.map((i) => records.get(i)).find((r) => r && r.fields.length === src.mapping.fieldCount && !r.fields.every((f) => /^[\s\u3000\u00a0]*$/.test(f)));
  }
  throw new InputError(`not a date: ${JSON.stringify(row.raw ?? '')}; expected ${DATE_FORMS}`, {
    file: file.path,
    ...(at ? { line: at.line } : {}),
    column: src.mapping.names.snapshot_date!,
  });
}

/**
 * A share as a percentage, with as many decimals as it takes to tell it from
 * `limit` (which it exceeds): 201 of 20,050 is "1.002%" against a limit of
 * "1%", never "1%". The limit itself is printed exactly.
 */
export function sharesAbove(share: number, limit: number): { share: string; limit: string } {
  const trim = (t: string) => (t.includes('.') ? t.replace(/\.?0+$/, '') : t);
  const limitText = trim((limit * 100).toFixed(10));
  let d = share < 0.001 ? 3 : 2;
  while (d < 12 && Number((share * 100).toFixed(d)) <= Number(limitText)) d++;
  return { share: `${trim((share * 100).toFixed(d))}%`, limit: `${limitText}%` };
}

const count = (n: number) => n.toLocaleString('en-US');

/** Column a reason is about, as a canonical name. */
function columnOf(reason: RejectReason): CanonicalColumn | null {
  if (reason === 'wrong_field_count' || reason === 'repeated_header') return null;
  if (reason === 'amount_too_large') return 'aum'; // deposits have an internal code of their own
  if (reason.endsWith('customer_id')) return 'customer_id';
  if (reason.endsWith('branch')) return 'branch';
  if (reason.endsWith('aum')) return 'aum';
  if (reason.endsWith('deposits')) return 'deposits';
  return 'open_date';
}

/**
 * Mark every copy of a customer id after its first (by rowid) as a duplicate.
 * Only rows that pass every other check (reason NULL) compete for an id, so the
 * copy kept is the first valid one. Sorting 64-bit hashes finds candidates
 * faster than grouping the strings; the exact test on the ids then runs on
 * those few. `table` is a quoted identifier.
 */
export async function markDuplicateIds(conn: DuckDBConnection, table: string): Promise<void> {
  const sameHash = `SELECT h FROM (SELECT h, lag(h) OVER (ORDER BY h) AS p FROM (SELECT hash(customer_id) AS h FROM ${table} WHERE reason IS NULL)) WHERE h = p`;
  const candidates = await one(conn, `SELECT count(*) AS n FROM (${sameHash})`);
  if (Number(candidates.n) > 0)
    await conn.run(`UPDATE ${table} SET reason = ${code('duplicate_customer_id')} WHERE rowid IN (
      SELECT rid FROM (
        SELECT rowid AS rid, row_number() OVER (PARTITION BY customer_id ORDER BY rowid) AS k
        FROM ${table} WHERE reason IS NULL AND hash(customer_id) IN (${sameHash})
      ) WHERE k > 1)`);
}

async function buildTable(
  conn: DuckDBConnection,
  file: SnapshotFile,
  config: Config,
  table: string,
  src: Source,
  opts: LoadOptions,
): Promise<Omit<FileReport, 'file' | 'path' | 'format' | 'encoding' | 'sha256'>> {
  const { date: snapshotDate, source: dateSource } = await snapshotDateOf(conn, file, config, src);
  const scale = config.unit === '万元' ? 6 : 2;
  const T = ident(table);
  const hasOpenDate = src.cols.open_date !== undefined;
  try {
    await conn.run(stageSql(table, src.from, src.cols, scale, snapshotDate, aliasTable(config.columns), src.blankFields));
  } catch (e) {
    if (isOutOfMemory(e)) throw e;
    throw new InputError(`cannot read the file: ${(e as Error).message.split('\n')[0]}`, { file: file.path });
  }

  const { offsets: refused, blank: blankRefused } = await src.readerRejects();
  const firstRefused = refused.filter((pos) => !blankRefused.has(pos)).slice(0, EXAMPLES_PER_REASON);

  if (src.cols.snapshot_date) {
    const m = await one(conn, `SELECT min(rowid) AS r FROM ${T} WHERE reason = ${SNAPSHOT_DATE_MISMATCH}`);
    if (m.r !== null && m.r !== undefined) {
      const row = Number(m.r);
      const at = (await src.locate([row], refused, [])).rows.get(row);
      const value = at?.fields[src.mapping.index.snapshot_date!] ?? '';
      const against = dateSource === 'config' ? `the date config snapshotDates gives this file, ${snapshotDate}` : `the first row's ${snapshotDate}`;
      throw new InputError(`snapshot_date ${JSON.stringify(value.trim())} differs from ${against}; one file holds one snapshot date`, {
        file: file.path,
        ...(at ? { line: at.line } : {}),
        column: src.mapping.names.snapshot_date!,
      });
    }
  }

  await markDuplicateIds(conn, T);

  // Sums of BIGINT are HUGEINT in DuckDB: exact whatever the file holds.
  const totals = await one(
    conn,
    `SELECT count(*) AS parsed, count(*) FILTER (WHERE reason IS NULL) AS used, count(*) FILTER (WHERE reason = ${BLANK_LINE}) AS blank,
       count(*) FILTER (WHERE reason IS NULL AND deposits > aum) AS above,
       sum(aum) FILTER (WHERE reason IS NULL) AS aum_sum, sum(deposits) FILTER (WHERE reason IS NULL) AS deposits_sum FROM ${T}`,
  );
  const groups = (
    await conn.runAndReadAll(
      `SELECT reason, count(*) AS n, min(rowid, ${EXAMPLES_PER_REASON}) AS first FROM ${T} WHERE reason IS NOT NULL AND reason <> ${BLANK_LINE} GROUP BY reason${
        hasOpenDate
          ? ` UNION ALL SELECT 0 AS reason, count(*) AS n, min(rowid, ${EXAMPLES_PER_REASON}) AS first FROM ${T} WHERE reason IS NULL AND od_warn HAVING count(*) > 0`
          : ''
      }`,
    )
  ).getRowObjectsJS();

  // Internal codes → public reasons; amount_too_large has one code per column, and 0 stands for the open-date warning.
  const counts = new Map<RejectReason, number>();
  const warned: Partial<Record<WarningReason, number>> = {};
  const firstRows: { reason: RejectReason | WarningReason; column: CanonicalColumn | null; rows: number[] }[] = [];
  for (const g of groups) {
    const c = Number(g.reason);
    const rows = (g.first as bigint[]).map(Number);
    if (c === 0) {
      warned.invalid_open_date = Number(g.n);
      firstRows.push({ reason: 'invalid_open_date', column: 'open_date', rows });
      continue;
    }
    const kind = reasonOfCode(c)!;
    counts.set(kind.reason, (counts.get(kind.reason) ?? 0) + Number(g.n));
    firstRows.push({ ...kind, rows });
  }
  const refusedCounted = refused.length - blankRefused.size;
  if (refusedCounted) counts.set('wrong_field_count', refusedCounted);

  const located = await src.locate(
    firstRows.flatMap((f) => f.rows),
    refused,
    firstRefused,
  );
  const examples: RejectExample[] = [];
  for (const reason of [...REJECT_REASONS, ...WARNING_REASONS]) {
    if (reason === 'wrong_field_count') {
      for (const pos of firstRefused) {
        const at = located.refused.get(pos);
        if (at) examples.push({ reason, line: at.line, column: null, value: `${at.fields.length} fields, expected ${src.mapping.fieldCount}` });
      }
      continue;
    }
    const found: RejectExample[] = [];
    for (const f of firstRows.filter((x) => x.reason === reason))
      for (const row of f.rows) {
        const at = located.rows.get(row);
        if (!at) continue;
        const column = f.column ? src.mapping.names[f.column]! : null;
        const value = f.column === null || f.column === 'customer_id' ? null : (at.fields[src.mapping.index[f.column]!] ?? '');
        found.push({ reason, line: at.line, column, value });
      }
    examples.push(...found.sort((x, y) => x.line - y.line).slice(0, EXAMPLES_PER_REASON));
  }

  const rowsUsed = Number(totals.used);
  const rowsSkipped = Number(totals.blank) + blankRefused.size;
  const rowsRead = Number(totals.parsed) - Number(totals.blank) + refusedCounted;
  opts.onProgress?.({ rowsRead });
  const rejected: Partial<Record<RejectReason, number>> = {};
  let rejectedTotal = 0;
  for (const r of REJECT_REASONS) {
    const n = counts.get(r);
    if (n) (rejected[r] = n), (rejectedTotal += n);
  }
  const share = rowsRead ? rejectedTotal / rowsRead : 0;
  if (share > config.maxRejectShare) {
    const main = [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([r, n]) => {
        const ex = examples.find((e) => e.reason === r);
        const where = ex
          ? ` (first at line ${ex.line}${ex.column ? `, column "${ex.column}"` : ''}${ex.value !== null ? `, value ${JSON.stringify(ex.value)}` : ''})`
          : '';
        return `${r} ${count(n)}${where}`;
      });
    const shown = sharesAbove(share, config.maxRejectShare);
    throw new InputError(
      `${shown.share} of rows rejected (${count(rejectedTotal)} of ${count(rowsRead)}), above the limit of ${shown.limit} (config maxRejectShare). Main reasons: ${main.join('; ')}`,
      { file: file.path },
    );
  }
  for (const measure of ['aum', 'deposits'] as const) {
    const sum = BigInt((totals[`${measure}_sum`] as bigint | null) ?? 0n);
    if (sum > BigInt(MAX_EXACT_FEN)) {
      const top = await one(conn, `SELECT rowid AS r FROM ${T} WHERE reason IS NULL ORDER BY ${measure} DESC, rowid LIMIT 1`);
      const row = Number(top.r);
      const at = (await src.locate([row], refused, [])).rows.get(row);
      const value = at?.fields[src.mapping.index[measure]!];
      throw new InputError(
        `the total ${measure} of the file's ${count(rowsUsed)} customers is ${fenAsYuan(sum)}, above ${fenAsYuan(BigInt(MAX_EXACT_FEN))} (2^53 − 1 fen), the largest total the report adds up exactly; the largest value is ${
          value === undefined ? 'not found' : JSON.stringify(value.trim())
        }${at ? ` at line ${at.line}` : ''}: check the export for placeholder or misplaced values`,
        { file: file.path, column: src.mapping.names[measure]! },
      );
    }
  }

  if (Number(totals.parsed) > rowsUsed) await conn.run(`DELETE FROM ${T} WHERE reason IS NOT NULL`);
  await conn.run(`ALTER TABLE ${T} DROP COLUMN reason`);
  if (hasOpenDate) await conn.run(`ALTER TABLE ${T} DROP COLUMN od_warn`);
  return {
    snapshotDate,
    dateSource,
    rowsRead,
    rowsUsed,
    rowsSkipped,
    rejected,
    warned,
    examples,
    depositsAboveAum: Number(totals.above),
    ignoredColumns: src.mapping.ignored,
    headerMap: { ...src.mapping.headerMap },
  };
}

/**
 * Load one snapshot into `table` (customer_id VARCHAR, branch VARCHAR, aum
 * BIGINT fen, deposits BIGINT fen, open_date DATE), valid rows only, in file
 * order. Any whole-file problem is an InputError and leaves no table behind.
 */
export async function loadSnapshot(
  conn: DuckDBConnection,
  file: SnapshotFile,
  config: Config,
  table: string,
  opts: LoadOptions,
): Promise<FileReport> {
  // rowid must follow file order: examples, line numbers and "first copy wins" rely on it.
  const order = await one(conn, `SELECT current_setting('preserve_insertion_order') AS v`);
  if (order.v !== true) await conn.run('SET preserve_insertion_order = true');
  let copy: string | null = null;
  const sources: Source[] = [];
  const known = file.format === 'parquet' ? opts.known : undefined;
  const guard = known?.guard ?? (await guardFile(file.path));
  const unchanged = async (report: FileReport): Promise<FileReport> => {
    const moved = await guard.changed();
    if (moved) throw moved;
    return report;
  };
  const build = async (open: () => Promise<Source>) => {
    const src = await open();
    sources.push(src);
    return buildTable(conn, file, config, table, src, opts);
  };
  try {
    if (file.format === 'parquet') {
      await stat(file.path).catch((e) => {
        throw new InputError(`cannot read the file (${(e as NodeJS.ErrnoException).code ?? e})`, { file: file.path });
      });
      // Hashing needs no result of the load: let it run alongside DuckDB.
      const [hashed, built] = await Promise.allSettled([known?.sha256 ?? sha256File(file.path), build(() => parquetSource(conn, file, config, opts.tmpDir))]);
      if (built.status === 'rejected') throw built.reason;
      if (hashed.status === 'rejected') throw hashed.reason;
      return await unchanged({ file: file.name, path: file.path, format: file.format, encoding: null, sha256: hashed.value, ...built.value });
    }
    // A file that starts as UTF-8 is most likely UTF-8 throughout: DuckDB loads
    // it (gzipped or not) while JavaScript hashes and checks it, and the load is
    // redone from a transcoded copy in the rare case the check says otherwise.
    const optimistic = config.csv.encoding !== 'gb18030' && (await startsAsUtf8(file.path));
    const prepare = prepareCsv(file, config.csv.encoding, {
      tmpDir: opts.tmpDir,
      onBytes: (bytesRead) => opts.onProgress?.({ rowsRead: 0, bytesRead }),
    });
    const early = optimistic ? build(() => csvSource(conn, file, config, file.path, opts.tmpDir)) : null;
    const [prepared, built] = await Promise.allSettled([prepare, early ?? Promise.resolve(null)]);
    if (prepared.status === 'rejected') throw prepared.reason;
    const { sha256, encoding, utf8Path, isCopy } = prepared.value;
    if (isCopy) copy = utf8Path;
    let result = built.status === 'fulfilled' ? built.value : null;
    if (built.status === 'rejected' && utf8Path === file.path) throw built.reason;
    if (!result || utf8Path !== file.path) result = await build(() => csvSource(conn, file, config, utf8Path, opts.tmpDir));
    return await unchanged({ file: file.name, path: file.path, format: file.format, encoding, sha256, ...result });
  } catch (e) {
    await conn.run(`DROP TABLE IF EXISTS ${ident(table)}`);
    // A file that changed midway can fail in any odd way; the change is the cause to name.
    throw (await guard.changed()) ?? e;
  } finally {
    for (const src of sources) await src.cleanup();
    if (copy) await rm(copy, { force: true });
    if (order.v !== true) await conn.run(`SET preserve_insertion_order = ${order.v === false ? 'false' : 'true'}`);
  }
}
