// What real exports hold that a first week with the tool meets (issue 14):
// balances near the exact range, file names with two dates, datetime and
// Chinese open dates, Excel's rows of bare delimiters, and messages that must
// say what they mean. loadSnapshot per file; the CLI side is in
// ingest-adversarial.test.ts.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, type Config } from '../src/lib/config.ts';
import { buildQuality } from '../src/lib/assemble/quality.ts';
import { datesInName, dateFromName, formatOf, type SnapshotFile } from '../src/engine/discover.ts';
import { InputError } from '../src/engine/errors.ts';
import { loadSnapshot, MAX_EXACT_FEN, sharesAbove, type FileReport } from '../src/engine/load.ts';

let instance: DuckDBInstance;
let conn: DuckDBConnection;
let dir: string;
let tmp: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierscope-real-exports-'));
  tmp = join(dir, 'tmp');
  instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  conn = await instance.connect();
});
afterAll(async () => {
  conn.closeSync();
  instance.closeSync();
  await rm(dir, { recursive: true, force: true });
});

async function put(name: string, content: string): Promise<SnapshotFile> {
  const path = join(dir, name);
  await writeFile(path, content);
  return { path, name, format: formatOf(name)!, dateFromName: dateFromName(name) };
}

const csv = (...lines: string[]) => lines.join('\n') + '\n';
/** Lets any share of rows be rejected (past the schema, which takes shares below 1), so counts can be checked. */
const lenient = (raw: object = {}): Config => ({ ...parseConfig(raw), maxRejectShare: 1 });

async function load(file: SnapshotFile, config: Config = lenient()): Promise<{ report: FileReport; rows: Record<string, unknown>[] }> {
  const report = await loadSnapshot(conn, file, config, 't', { tmpDir: tmp });
  const rows = (await conn.runAndReadAll('SELECT * FROM t ORDER BY rowid')).getRowObjectsJson();
  return { report, rows };
}

async function failure(p: Promise<unknown>): Promise<InputError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
}

const rejectedTotal = (r: FileReport) => Object.values(r.rejected).reduce((a, b) => a + b, 0);
/** 100 ordinary customers, 1 000 元 each. */
const book = (n = 100) => Array.from({ length: n }, (_, i) => `C${i},B${i % 3},1000,10`);

// ---------------------------------------------------------------------------

describe('amounts within the exact range (item 2)', () => {
  it('keeps 2^53 − 1 fen in a row and rejects a larger value per row as amount_too_large, naming line and column', async () => {
    expect(MAX_EXACT_FEN).toBe(2 ** 53 - 1);
    const f = await put(
      'big_2025-01-31.csv',
      csv(
        'customer_id,branch,aum,deposits',
        'M,B1,90071992547409.91,0', // 2: exactly 2^53 − 1 fen: kept
        'X1,B1,99999999999999.99,0', // 3: the placeholder of the issue
        'X2,B1,1,90071992547409.92', // 4: 2^53 fen of deposits
        'X3,B1,"100,000,000,000,000",0', // 5: 10^14 元, beyond the DECIMAL cast: too large, not invalid
        'X4,B1,-100000000000000000,0', // 6: negative first
        'X5,B1,1e20,0', // 7: no number the contract writes
      ),
    );
    const { report, rows } = await load(f);
    expect(rows.map((r) => [r.customer_id, r.aum])).toEqual([['M', String(2 ** 53 - 1)]]);
    expect(report.rejected).toEqual({ invalid_aum: 1, negative_aum: 1, amount_too_large: 3 });
    expect(report.examples.filter((e) => e.reason === 'amount_too_large')).toEqual([
      { reason: 'amount_too_large', line: 3, column: 'aum', value: '99999999999999.99' },
      { reason: 'amount_too_large', line: 4, column: 'deposits', value: '90071992547409.92' },
      { reason: 'amount_too_large', line: 5, column: 'aum', value: '100,000,000,000,000' },
    ]);
    expect(report.rowsRead).toBe(report.rowsUsed + rejectedTotal(report));
  });

  it('applies the same fen limit to 万元 input and to typed Parquet amounts', async () => {
    const w = await put('wan_2025-01-31.csv', csv('customer_id,branch,aum,deposits', 'M,B1,9007199254.740991,0', 'X,B1,9007199254.740992,0', 'Y,B1,100000000000000,0'));
    const { report, rows } = await load(w, lenient({ unit: '万元' }));
    expect(rows.map((r) => r.aum)).toEqual([String(2 ** 53 - 1)]);
    expect(report.rejected).toEqual({ amount_too_large: 2 });

    const path = join(dir, 'typed_2025-01-31.parquet');
    await conn.run(`COPY (SELECT * FROM (VALUES ('C1', 'B1', 1::DOUBLE, 1::BIGINT), ('C2', 'B1', 1e20::DOUBLE, 1::BIGINT), ('C3', 'B1', 1::DOUBLE, 9000000000000000000::BIGINT))
      v(customer_id, branch, aum, deposits)) TO '${path}' (FORMAT parquet)`);
    const p = await load({ path, name: 'typed_2025-01-31.parquet', format: 'parquet', dateFromName: '2025-01-31' });
    expect(p.report.rejected).toEqual({ amount_too_large: 2 });
    expect(p.report.examples.map((e) => [e.line, e.column])).toEqual([
      [2, 'aum'],
      [3, 'deposits'],
    ]);
  });

  it('fails in one line naming file, column, total and limit when only the sum passes 2^53 − 1 fen', async () => {
    const f = await put('sum_2025-01-31.csv', csv('customer_id,branch,aum,deposits', ...book(30), 'X1,B1,50000000000000,0', 'X2,B2,50000000000000,0'));
    const e = await failure(load(f, parseConfig({})));
    expect(e.message).toBe(
      `${f.path}: column "aum": the total aum of the file's 32 customers is 100,000,000,030,000.00 元, above 90,071,992,547,409.91 元 (2^53 − 1 fen), ` +
        'the largest total the report adds up exactly; the largest value is "50000000000000" at line 32: check the export for placeholder or misplaced values',
    );
    expect(e.message).not.toContain('\n');
    await expect(conn.run('SELECT * FROM t')).rejects.toThrow(/does not exist/);
    // The same total in deposits.
    const g = await put('dsum_2025-01-31.csv', csv('customer_id,branch,存款余额,aum', ...book(30).map((l) => l.replace(/,1000,10$/, ',10,1000')), 'X1,B1,50000000000000,0', 'X2,B2,50000000000000,0'));
    expect((await failure(load(g, parseConfig({})))).message).toMatch(/^.*: column "存款余额": the total deposits of the file's 32 customers is 100,000,000,000,300\.00 元/);
  });
});

// ---------------------------------------------------------------------------

describe('every file dated, and unambiguously (item 3)', () => {
  it('finds every date of a name, with one-digit months and days and 年月日', () => {
    expect(datesInName('客户_2025-3-31_导出20250401.csv')).toEqual(['2025-03-31', '2025-04-01']);
    expect(datesInName('客户_2025-3-31.csv')).toEqual(['2025-03-31']);
    expect(datesInName('客户_2025年3月31日.csv')).toEqual(['2025-03-31']);
    expect(datesInName('2025-01-31_copy_2025-01-31.csv')).toEqual(['2025-01-31']);
    expect(datesInName('a_2025-1-311.csv')).toEqual([]);
    expect(datesInName('export_202501311200.csv')).toEqual(['2025-01-31']);
    expect(dateFromName('客户_2025-3-31.csv')).toBe('2025-03-31');
  });

  it('says where each date came from', async () => {
    const byName = await load(await put('客户_2025-3-31.csv', csv('customer_id,branch,aum,deposits', 'C1,B1,1,1')));
    expect(byName.report).toMatchObject({ snapshotDate: '2025-03-31', dateSource: 'name' });
    const byColumn = await load(await put('dated.csv', csv('customer_id,branch,aum,deposits,数据日期', 'C1,B1,1,1,2025-02-28 00:00:00')));
    expect(byColumn.report).toMatchObject({ snapshotDate: '2025-02-28', dateSource: 'column' });
  });

  it('refuses a name with two dates, naming both, unless a snapshot_date column or config snapshotDates decides', async () => {
    const name = '客户_2025-3-31_导出20250401.csv';
    const f = await put(name, csv('customer_id,branch,aum,deposits', 'C1,B1,1,1'));
    const e = await failure(load(f));
    expect(e.message).toBe(
      `${f.path}: the file name holds two dates, 2025-03-31 and 2025-04-01, and nothing says which is the snapshot date; ` +
        `add a snapshot_date column, rename the file to hold one date, or map it in the config: "snapshotDates": {"${name}": "2025-03-31"}`,
    );
    const mapped = await load(f, lenient({ snapshotDates: { [name]: '2025-03-31' } }));
    expect(mapped.report).toMatchObject({ snapshotDate: '2025-03-31', dateSource: 'config' });

    const three = await put('a_2025-01-31_b_2025-02-28_c_20250331.csv', csv('customer_id,branch,aum,deposits', 'C1,B1,1,1'));
    expect((await failure(load(three))).detail).toMatch(/^the file name holds 3 dates, 2025-01-31, 2025-02-28 and 2025-03-31, /);

    const column = await put('快照_2025-3-31_导出2025-04-01.csv', csv('customer_id,branch,aum,deposits,snapshot_date', 'C1,B1,1,1,2025-03-31'));
    expect((await load(column)).report).toMatchObject({ snapshotDate: '2025-03-31', dateSource: 'column' });
    // The config's date binds a snapshot_date column as well.
    const cfg = lenient({ snapshotDates: { [column.name]: '2025-04-01' } });
    expect((await failure(load(column, cfg))).message).toBe(
      `${column.path}:2: column "snapshot_date": snapshot_date "2025-03-31" differs from the date config snapshotDates gives this file, 2025-04-01; one file holds one snapshot date`,
    );
  });

  it('refuses a config date that is no date', () => {
    expect(() => parseConfig({ snapshotDates: { 'a.csv': '2025-02-30' } })).toThrow('snapshotDates["a.csv"]: must be a real date written YYYY-MM-DD');
  });
});

// ---------------------------------------------------------------------------

describe('optional columns never cost a customer (item 4)', () => {
  it('reads datetime and 年月日 open dates, and keeps a customer whose open date is unreadable, with a warning by reason', async () => {
    const f = await put(
      'open_2025-01-31.csv',
      csv(
        'customer_id,branch,aum,deposits,开户日期',
        'C1,B1,100,1,2020-01-05 00:00:00', // 2
        'C2,B1,200,1,2020年1月5日', // 3
        'C3,B1,300,1,2020/1/5 8:30', // 4
        'C4,B1,400,1,2020-01-05T23:59:59.5', // 5
        'C5,B1,500,1,05.01.2020', // 6: unreadable
        'C6,B1,600,1,2020-02-30 00:00:00', // 7: no such day
        'C7,B1,700,1,', // 8: missing is no warning
      ),
    );
    const { report, rows } = await load(f, parseConfig({}));
    expect(rows.map((r) => [r.customer_id, r.aum, r.open_date])).toEqual([
      ['C1', '10000', '2020-01-05'],
      ['C2', '20000', '2020-01-05'],
      ['C3', '30000', '2020-01-05'],
      ['C4', '40000', '2020-01-05'],
      ['C5', '50000', null],
      ['C6', '60000', null],
      ['C7', '70000', null],
    ]);
    expect(report).toMatchObject({ rowsRead: 7, rowsUsed: 7, rejected: {}, warned: { invalid_open_date: 2 } });
    expect(report.examples).toEqual([
      { reason: 'invalid_open_date', line: 6, column: '开户日期', value: '05.01.2020' },
      { reason: 'invalid_open_date', line: 7, column: '开户日期', value: '2020-02-30 00:00:00' },
    ]);
  });

  it('counts the warning in quality.json and its warnings, and keeps its examples out of the rejected ones', () => {
    const report: FileReport = {
      file: 'a_2025-01-31.csv',
      path: '/x/a_2025-01-31.csv',
      format: 'csv',
      encoding: 'utf-8',
      sha256: '0'.repeat(64),
      snapshotDate: '2025-01-31',
      dateSource: 'name',
      rowsRead: 3,
      rowsUsed: 2,
      rowsSkipped: 1,
      rejected: { missing_branch: 1 },
      warned: { invalid_open_date: 2 },
      examples: [
        { reason: 'missing_branch', line: 3, column: 'branch', value: '' },
        { reason: 'invalid_open_date', line: 2, column: 'open_date', value: 'x' },
      ],
      depositsAboveAum: 0,
      ignoredColumns: [],
      headerMap: {},
    };
    const q = buildQuality(parseConfig({}), [report], [], { frequency: 0, dominance: 0, secondary: 0 }, [], ['B1']);
    expect(q.files[0]).toMatchObject({ rowsSkipped: 1, warned: { invalid_open_date: 2 }, dateSource: 'name', examples: [{ reason: 'missing_branch', line: 3, column: 'branch' }] });
    expect(q.warnings).toEqual([
      'a_2025-01-31.csv: 2 row(s) have an unreadable open_date (invalid_open_date); the customers are kept and the date treated as missing',
    ]);
  });
});

// ---------------------------------------------------------------------------

describe('blank rows are blank (item 5)', () => {
  it('skips lines of only delimiters and whitespace, of any field count, and counts them apart from the rows read', async () => {
    const f = await put(
      'blank_2025-01-31.csv',
      csv(
        'customer_id,branch,aum,deposits,note', // 1
        'C1,B1,100,1,', // 2
        ',,,,', // 3 blank
        ' , ,\t,　,', // 4 blank: spaces, a tab, a full-width space
        ',,', // 5 blank with too few fields
        ',,,,,,,', // 6 blank with too many
        '   ', // 7 blank: spaces only
        '', // 8 empty: not counted at all
        ',,,,remark', // 9 not blank: a value in the ignored column
        'C2,,1,1,', // 10 missing_branch
        'C3,B1,1', // 11 wrong_field_count
        'C4,B1,300,1,', // 12
        ',,,,', // 13 blank, last
      ),
    );
    const { report, rows } = await load(f);
    expect(rows.map((r) => r.customer_id)).toEqual(['C1', 'C4']);
    expect(report).toMatchObject({ rowsRead: 5, rowsUsed: 2, rowsSkipped: 6, rejected: { missing_customer_id: 1, missing_branch: 1, wrong_field_count: 1 } });
    expect(report.rowsRead).toBe(report.rowsUsed + rejectedTotal(report));
    expect(report.examples).toEqual([
      { reason: 'missing_customer_id', line: 9, column: 'customer_id', value: null },
      { reason: 'missing_branch', line: 10, column: 'branch', value: '' },
      { reason: 'wrong_field_count', line: 11, column: null, value: '3 fields, expected 5' },
    ]);
  });

  it('does not let blank lines fail a small file, nor break a snapshot_date column', async () => {
    const f = await put('small.csv', csv('customer_id,branch,aum,deposits,snapshot_date', 'C1,B1,1,1,2025-01-31', ',,,,', 'C2,B1,1,1,2025-01-31', ',,,,', ',,,,'));
    const { report } = await load(f, parseConfig({}));
    expect(report).toMatchObject({ rowsRead: 2, rowsUsed: 2, rowsSkipped: 3, rejected: {}, snapshotDate: '2025-01-31' });
    // Blank lines first: the first customer row gives the date, or the line of its bad date.
    const g = await put('leading.csv', csv('customer_id,branch,aum,deposits,snapshot_date', ',,,,', ',,', ' , , , , ', 'C1,B1,1,1,2025-01-31', 'C2,B1,1,1,2025-01-31'));
    expect((await load(g, parseConfig({}))).report).toMatchObject({ rowsRead: 2, rowsSkipped: 3, snapshotDate: '2025-01-31', dateSource: 'column' });
    const h = await put('leading-bad.csv', csv('customer_id,branch,aum,deposits,snapshot_date', ',,,,', ',,', 'C1,B1,1,1,March'));
    expect((await failure(load(h))).message).toMatch(new RegExp(`^${h.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: column "snapshot_date": not a date: "March"`));
  });
});

// ---------------------------------------------------------------------------

describe('messages say what they mean (item 7)', () => {
  it('prints the reject share with the digits that tell it from the limit', async () => {
    expect(sharesAbove(201 / 20_050, 0.01)).toEqual({ share: '1.002%', limit: '1%' });
    expect(sharesAbove(3 / 100, 0.01)).toEqual({ share: '3%', limit: '1%' });
    expect(sharesAbove(1 / 1_000_000, 0)).toEqual({ share: '0.0001%', limit: '0%' });
    expect(sharesAbove(0.0123457, 0.012345)).toEqual({ share: '1.235%', limit: '1.2345%' });
    expect(sharesAbove(0.0100004, 0.01)).toEqual({ share: '1.00004%', limit: '1%' });
    const f = await put('share_2025-01-31.csv', csv('customer_id,branch,aum,deposits', ...book(20_050 - 201), ...Array.from({ length: 201 }, (_, i) => `X${i},B1,abc,1`)));
    expect((await failure(load(f, parseConfig({})))).detail).toMatch(/^1\.002% of rows rejected \(201 of 20,050\), above the limit of 1% \(config maxRejectShare\)\. Main reasons: invalid_aum 201 \(first at line 19851, /);
  });

  it('refuses a maxRejectShare outside [0, 1) with the hint that it is a share', () => {
    for (const v of [1, 5, -0.01]) {
      const e = (() => {
        try {
          parseConfig({ maxRejectShare: v });
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).toBe(`config: invalid config\n  maxRejectShare: must be a share from 0 up to (not including) 1: 0.01 means 1 % (got ${v})`);
    }
    expect(parseConfig({ maxRejectShare: 0 }).maxRejectShare).toBe(0);
    expect(parseConfig({ maxRejectShare: 0.99 }).maxRejectShare).toBe(0.99);
  });

  it('warns about branches and snapshotDates entries that name nothing in the data', () => {
    const config = parseConfig({
      branches: { B1: { zh: '城东', en: 'East' }, B9: { zh: '旧', en: 'Old' }, 'B 10': { zh: '新', en: 'New' } },
      snapshotDates: { 'old.csv': '2024-12-31' },
    });
    const q = buildQuality(config, [], [], { frequency: 0, dominance: 0, secondary: 0 }, [], ['B1', 'B2']);
    expect(q.warnings).toEqual([
      'config branches names 2 code(s) that no snapshot holds: "B9", "B 10" (a typo, or a branch with no customers in these files?)',
      'config snapshotDates names 1 file(s) that are not in the snapshot folder: "old.csv"',
    ]);
  });
});
