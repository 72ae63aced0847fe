// loadSnapshot against small files written per test: every rejection reason and
// whole-file failure of docs/data-contract.md, with the line and column each one names.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import iconv from 'iconv-lite';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../src/lib/config.ts';
import { dateFromName, formatOf, type SnapshotFile } from '../src/engine/discover.ts';
import { InputError } from '../src/engine/errors.ts';
import { loadSnapshot, REJECT_REASONS, type FileReport } from '../src/engine/load.ts';

let instance: DuckDBInstance;
let conn: DuckDBConnection;
let dir: string;
let tmp: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierscope-ingest-'));
  tmp = join(dir, 'tmp');
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
});
afterAll(async () => {
  conn.closeSync();
  instance.closeSync();
  await rm(dir, { recursive: true, force: true });
});

async function put(name: string, content: string | Uint8Array): Promise<SnapshotFile> {
  const path = join(dir, name);
  await writeFile(path, content);
  return { path, name, format: formatOf(name)!, dateFromName: dateFromName(name) };
}

const csv = (...lines: string[]) => lines.join('\n') + '\n';

/** The config, letting any share of rows be rejected (past the schema, which takes shares below 1) unless the test sets its own limit. */
function lenient(config: object): Config {
  return { ...parseConfig(config), ...('maxRejectShare' in config ? {} : { maxRejectShare: 1 }) };
}

async function load(file: SnapshotFile, config: object = {}, table = 't'): Promise<{ report: FileReport; rows: Record<string, unknown>[] }> {
  const report = await loadSnapshot(conn, file, lenient(config), table, { tmpDir: tmp });
  const rows = (await conn.runAndReadAll(`SELECT * FROM ${table}`)).getRowObjectsJson();
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

const total = (r: FileReport) => Object.values(r.rejected).reduce((a, b) => a + b, 0);

describe('valid rows', () => {
  it('converts amounts to fen exactly and reads the three date forms', async () => {
    const f = await put(
      '2025-01-31.csv',
      csv(
        'customer_id,branch,aum,deposits,open_date',
        'C1,B1,100,40.5,2020-01-31',
        'C2,B2,"1,234.565",0.005,2021/2/3',
        'C3, B1 , 7.10 ,0.0049,20190101',
        'C4,B3,0,0,',
        'C5,B3,10,20,2025-01-31',
        ' C6 ,B3,+5,-0,2025-1-5',
      ),
    );
    const { report, rows } = await load(f);
    expect(rows).toEqual([
      { customer_id: 'C1', branch: 'B1', aum: '10000', deposits: '4050', open_date: '2020-01-31' },
      { customer_id: 'C2', branch: 'B2', aum: '123457', deposits: '1', open_date: '2021-02-03' },
      { customer_id: 'C3', branch: 'B1', aum: '710', deposits: '0', open_date: '2019-01-01' },
      { customer_id: 'C4', branch: 'B3', aum: '0', deposits: '0', open_date: null },
      { customer_id: 'C5', branch: 'B3', aum: '1000', deposits: '2000', open_date: '2025-01-31' },
      { customer_id: 'C6', branch: 'B3', aum: '500', deposits: '0', open_date: '2025-01-05' },
    ]);
    expect(report).toMatchObject({
      file: '2025-01-31.csv',
      path: f.path,
      format: 'csv',
      encoding: 'utf-8',
      snapshotDate: '2025-01-31',
      rowsRead: 6,
      rowsUsed: 6,
      rejected: {},
      examples: [],
      depositsAboveAum: 1,
      ignoredColumns: [],
    });
    const types = (await conn.runAndReadAll('SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1', ['t'])).getRows();
    expect(types).toEqual([
      ['customer_id', 'VARCHAR'],
      ['branch', 'VARCHAR'],
      ['aum', 'BIGINT'],
      ['deposits', 'BIGINT'],
      ['open_date', 'DATE'],
    ]);
  });

  it('converts 万元 to fen', async () => {
    const f = await put('wan_2025-01-31.csv', csv('customer_id,branch,aum,deposits', 'C1,B1,1.2345678,12', 'C2,B1,"1,234.5",0.0000005', 'C3,B1,0.00000005,0'));
    const { rows } = await load(f, { unit: '万元' });
    expect(rows.map((r) => [r.aum, r.deposits])).toEqual([
      ['1234568', '12000000'],
      ['1234500000', '1'],
      ['0', '0'],
    ]);
  });

  it('reads a BOM, CRLF, quoted thousands and quoted line breaks, and ignores blank lines', async () => {
    const text =
      '\ufeffCustomer_ID,Branch,AUM,Deposits,Memo\r\n' +
      'C1,B1,"1,234,567.89","12,345.6","two\r\nlines"\r\n' +
      '\r\n' +
      'C2,B2,1,1,\r\n' +
      '\r\n\r\n';
    const f = await put('bom_20250131.csv', text);
    const { report, rows } = await load(f);
    expect(rows).toEqual([
      { customer_id: 'C1', branch: 'B1', aum: '123456789', deposits: '1234560', open_date: null },
      { customer_id: 'C2', branch: 'B2', aum: '100', deposits: '100', open_date: null },
    ]);
    expect(report).toMatchObject({ rowsRead: 2, rowsUsed: 2, ignoredColumns: ['Memo'] });
    expect(report.headerMap).toEqual({ Customer_ID: 'customer_id', Branch: 'branch', AUM: 'aum', Deposits: 'deposits' });
  });

  it('honours the configured delimiter and column aliases', async () => {
    const tab = await put('tab_2025-01-31.csv', csv('cust\torg\tbal\tdep', 'C1\t"B\t1"\t5\t1'));
    expect((await load(tab, { csv: { delimiter: '\t' }, columns: { cust: 'customer_id', org: 'branch', bal: 'aum', dep: 'deposits' } })).rows).toEqual([
      { customer_id: 'C1', branch: 'B\t1', aum: '500', deposits: '100', open_date: null },
    ]);
    const pipe = await put('pipe_2025-01-31.csv', csv('customer_id|branch|aum|deposits', 'C1|B1|"1,000"|2'));
    expect((await load(pipe, { csv: { delimiter: '|' } })).rows).toEqual([{ customer_id: 'C1', branch: 'B1', aum: '100000', deposits: '200', open_date: null }]);
  });

  it('reads CR-only line breaks', async () => {
    const f = await put('cr_2025-01-31.csv', 'customer_id,branch,aum,deposits\rC1,B1,1,1\rC2,,1,1\r');
    const { report } = await load(f);
    expect(report.examples).toEqual([{ reason: 'missing_branch', line: 3, column: 'branch', value: '' }]);
  });

  it('loads a header-only file as an empty table', async () => {
    const f = await put('empty_2025-01-31.csv', 'customer_id,branch,aum,deposits\n');
    const { report, rows } = await load(f);
    expect(rows).toEqual([]);
    expect(report).toMatchObject({ rowsRead: 0, rowsUsed: 0, rejected: {} });
  });
});

describe('rejected rows', () => {
  it('counts every reason and names line, column and value of the first examples', async () => {
    const f = await put(
      '2025-03-31.csv',
      csv(
        'customer_id,branch,aum,deposits,open_date', // 1
        'C1,B1,100,50,2020-01-01', // 2
        ',B1,1,1,', // 3 missing_customer_id
        'C2,,1,1,', // 4 missing_branch
        'C3,B1,,1,', // 5 missing_aum
        'C4,B1,1e3,1,', // 6 invalid_aum
        'C5,B1,-1,1,', // 7 negative_aum
        'C6,B1,1,  ,', // 8 missing_deposits
        'C7,B1,1,abc,', // 9 invalid_deposits
        'C8,B1,1,-0.001,', // 10 negative_deposits
        '"C9","B\n1",1,1,2025-02-30', // 11-12 kept: invalid_open_date is a warning
        'C10,B1,1,1,2025-04-01', // 13 open_date_after_snapshot
        'C1,B2,7,7,', // 14 duplicate_customer_id
        'C11,B1,1,1', // 15 wrong_field_count (too few)
        'C12,B1,1,1,,x', // 16 wrong_field_count (too many)
        'C13,B1,1,1,2025-03-31', // 17 ok (on the snapshot date)
        ' Customer_ID ,BRANCH,"aum",deposits,open_date', // 18 repeated_header
        'C14,B1,1,90071992547409.92,', // 19 amount_too_large: 2^53 fen
      ),
    );
    const { report, rows } = await load(f);
    expect(report.rejected).toEqual(Object.fromEntries(REJECT_REASONS.map((r) => [r, r === 'wrong_field_count' ? 2 : 1])));
    expect(Object.keys(report.rejected)).toEqual([...REJECT_REASONS]);
    expect(report.warned).toEqual({ invalid_open_date: 1 });
    expect(report.examples).toEqual([
      { reason: 'missing_customer_id', line: 3, column: 'customer_id', value: null },
      { reason: 'duplicate_customer_id', line: 14, column: 'customer_id', value: null },
      { reason: 'missing_branch', line: 4, column: 'branch', value: '' },
      { reason: 'missing_aum', line: 5, column: 'aum', value: '' },
      { reason: 'invalid_aum', line: 6, column: 'aum', value: '1e3' },
      { reason: 'negative_aum', line: 7, column: 'aum', value: '-1' },
      { reason: 'missing_deposits', line: 8, column: 'deposits', value: '  ' },
      { reason: 'invalid_deposits', line: 9, column: 'deposits', value: 'abc' },
      { reason: 'negative_deposits', line: 10, column: 'deposits', value: '-0.001' },
      { reason: 'amount_too_large', line: 19, column: 'deposits', value: '90071992547409.92' },
      { reason: 'open_date_after_snapshot', line: 13, column: 'open_date', value: '2025-04-01' },
      { reason: 'wrong_field_count', line: 15, column: null, value: '4 fields, expected 5' },
      { reason: 'wrong_field_count', line: 16, column: null, value: '6 fields, expected 5' },
      { reason: 'repeated_header', line: 18, column: null, value: null },
      { reason: 'invalid_open_date', line: 11, column: 'open_date', value: '2025-02-30' },
    ]);
    expect(report.rowsRead).toBe(17);
    expect(report.rowsUsed).toBe(3);
    expect(report.rowsSkipped).toBe(0);
    expect(report.rowsRead).toBe(report.rowsUsed + total(report));
    expect(rows.map((r) => [r.customer_id, r.open_date])).toEqual([
      ['C1', '2020-01-01'],
      ['C9', null],
      ['C13', '2025-03-31'],
    ]);
  });

  it('rejects every non-number the DuckDB cast would take, and keeps the customers of odd open dates without them', async () => {
    const bad = ['1_000', '1e3', '1E3', 'nan', 'inf', 'Infinity', '1e400', '0x10', '.5', '5.', '1,2,3', '12,34', '1,234,56', '١٢', '5 0', '--5', '¥5'];
    const dates = ['2025-02-30', '2025-13-01', '25-1-5', '2025105', '2025-01-05 25:00', '2025.01.05', '05/01/2025', '+2025-01-01', '20250230', '2025年2月30日', '2025年1月5', '2025-01-05 10:00:00 +08'];
    const lines = ['customer_id,branch,aum,deposits,open_date'];
    bad.forEach((v, i) => lines.push(`A${i},B1,"${v}",1,`));
    dates.forEach((v, i) => lines.push(`D${i},B1,1,1,${v}`));
    lines.push('OK1,B1," 12 ",1, 2025-01-05 ', 'OK2,B1,"1,234",1,2025/01/05', 'OK3,B1,"99999999999999999999",1,');
    const { report, rows } = await load(await put('strict_2025-06-30.csv', csv(...lines)));
    expect(report.rejected).toEqual({ invalid_aum: bad.length, amount_too_large: 1 });
    expect(report.warned).toEqual({ invalid_open_date: dates.length });
    expect(rows.map((r) => [r.customer_id, r.aum, r.open_date])).toEqual([
      ...dates.map((_, i) => [`D${i}`, '100', null]),
      ['OK1', '1200', '2025-01-05'],
      ['OK2', '123400', '2025-01-05'],
    ]);
    expect(report.examples.filter((e) => e.reason === 'invalid_aum').map((e) => e.value)).toEqual(bad.slice(0, 5));
    expect(report.examples.filter((e) => e.reason === 'invalid_open_date').map((e) => e.value)).toEqual(dates.slice(0, 5));
  });

  it('keeps the first valid copy of a repeated id and gives five examples per reason in file order', async () => {
    const f = await put(
      'dup_2025-01-31.csv',
      csv(
        'customer_id,branch,aum,deposits', // 1
        'X,B1,1,1', // 2 kept
        'Y,B1,oops,1', // 3 invalid_aum: does not claim the id
        'X,B2,2,2', // 4 duplicate
        'Y,B2,3,3', // 5 kept: the first valid Y
        'X,B3,4,4', // 6 duplicate
        ...['Z1', 'Z2', 'Z3', 'Z4', 'Z5', 'Z6', 'Z7'].map((id) => `${id},,1,1`), // 7-13 missing_branch
      ),
    );
    const { report, rows } = await load(f);
    expect(rows.map((r) => [r.customer_id, r.branch])).toEqual([
      ['X', 'B1'],
      ['Y', 'B2'],
    ]);
    expect(report.rejected).toEqual({ duplicate_customer_id: 2, missing_branch: 7, invalid_aum: 1 });
    expect(report.examples.filter((e) => e.reason === 'duplicate_customer_id').map((e) => e.line)).toEqual([4, 6]);
    expect(report.examples.filter((e) => e.reason === 'missing_branch').map((e) => e.line)).toEqual([7, 8, 9, 10, 11]);
    expect(report.rowsRead).toBe(report.rowsUsed + total(report));
  });

  it('counts physical lines across quoted line breaks, CRLF and blank lines for every kind of example', async () => {
    const text =
      'customer_id,branch,aum,deposits\r\n' + // 1
      '"A\r\n1",B1,1,1\r\n' + // 2-3
      '\r\n' + // 4 blank
      'A2,"B\n\n2",x,1\r\n' + // 5-7 invalid_aum
      '\r\n\r\n' + // 8-9 blank
      'A3,B3,1\r\n' + // 10 wrong_field_count
      'A4,"B\r\n4",1,1,1\r\n' + // 11-12 wrong_field_count
      '\r\n' + // 13
      'A5,,1,1\r\n'; // 14 missing_branch
    const { report } = await load(await put('lines_2025-01-31.csv', text));
    expect(report.examples).toEqual([
      { reason: 'missing_branch', line: 14, column: 'branch', value: '' },
      { reason: 'invalid_aum', line: 5, column: 'aum', value: 'x' },
      { reason: 'wrong_field_count', line: 10, column: null, value: '3 fields, expected 4' },
      { reason: 'wrong_field_count', line: 11, column: null, value: '5 fields, expected 4' },
    ]);
  });
});

describe('encodings and formats', () => {
  it('reads GB18030 with Chinese headers', async () => {
    const text = csv('客户号,网点,金融资产,存款余额,开户日期', 'C1,城东支行,"12,345.67",100,2020-05-01', 'C2,,1,1,');
    const bytes = iconv.encode(text, 'gb18030');
    const f = await put('gbk_20250131.csv', bytes);
    const { report, rows } = await load(f);
    expect(report.encoding).toBe('gb18030');
    expect(report.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(report.headerMap).toEqual({ 客户号: 'customer_id', 网点: 'branch', 金融资产: 'aum', 存款余额: 'deposits', 开户日期: 'open_date' });
    expect(rows).toEqual([{ customer_id: 'C1', branch: '城东支行', aum: '1234567', deposits: '10000', open_date: '2020-05-01' }]);
    expect(report.examples).toEqual([{ reason: 'missing_branch', line: 3, column: '网点', value: '' }]);
    expect((await load(f, { csv: { encoding: 'gb18030' } })).rows).toHaveLength(1);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('reloads from a transcoded copy when GB18030 appears only deep in the file', async () => {
    const text = 'customer_id,branch,aum,deposits\n' + Array.from({ length: 20_000 }, (_, i) => `C${i},B1,1,1`).join('\n') + '\nZ,城西支行,2,2\n';
    const { report, rows } = await load(await put('late_gbk_2025-01-31.csv', iconv.encode(text, 'gb18030')));
    expect(report.encoding).toBe('gb18030');
    expect(report.rowsUsed).toBe(20_001);
    expect(rows.at(-1)).toEqual({ customer_id: 'Z', branch: '城西支行', aum: '200', deposits: '200', open_date: null });
  });

  it('fails on an invalid GBK/GB18030 byte, naming its offset and line', async () => {
    const head = iconv.encode('客户号,网点,金融资产,存款余额\nC1,东,1,1\nC2,', 'gb18030');
    const f = await put('badgbk_2025-01-31.csv', Buffer.concat([head, Buffer.from([0xff]), Buffer.from(',1,1\n')]));
    const e = await failure(load(f, { csv: { encoding: 'gb18030' } }));
    expect(e.message).toBe(
      `${f.path}:3: not valid GB18030 (set csv.encoding to "utf-8" or "auto" if the file is UTF-8): bad byte sequence 0xFF 0x2C 0x31 0x2C at byte offset ${head.length}`,
    );
    expect(e.line).toBe(3);
    await expect(conn.run('SELECT * FROM t')).rejects.toThrow(/does not exist/);
  });

  it('fails on invalid UTF-8 when the config says utf-8', async () => {
    const head = Buffer.from('customer_id,branch,aum,deposits\nC1,B1,1,1\nC2,');
    const f = await put('badutf8_2025-01-31.csv', Buffer.concat([head, Buffer.from([0xb3, 0xc7]), Buffer.from(',1,1\n')]));
    const e = await failure(load(f, { csv: { encoding: 'utf-8' } }));
    expect(e.message).toMatch(new RegExp(`^${f.path}:3: not valid UTF-8 .*: bad byte sequence 0xB3 0xC7 0x2C 0x31 at byte offset ${head.length}$`));
  });

  it('reads .csv.gz and hashes the compressed bytes', async () => {
    const gz = gzipSync(csv('customer_id,branch,aum,deposits', 'C1,B1,1,1', 'C2,B1,-5,1'));
    const f = await put('2025-01-31.csv.gz', gz);
    const { report, rows } = await load(f);
    expect(report).toMatchObject({ format: 'csv.gz', encoding: 'utf-8', sha256: createHash('sha256').update(gz).digest('hex'), rowsRead: 2, rowsUsed: 1 });
    expect(report.examples).toEqual([{ reason: 'negative_aum', line: 3, column: 'aum', value: '-5' }]);
    expect(rows).toHaveLength(1);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('reads typed and text Parquet columns with the same rules, naming row numbers', async () => {
    const path = join(dir, 'typed_2025-01-31.parquet');
    await conn.run(`COPY (SELECT * FROM (VALUES
        ('C1', 'B1', 1234.565::DECIMAL(10,3), 12.345::DOUBLE, DATE '2020-01-01', '1,000.5'),
        ('C2', NULL, 1::DECIMAL(10,3), 1::DOUBLE, NULL, '1'),
        ('C3', 'B1', -1::DECIMAL(10,3), 1::DOUBLE, NULL, '1'),
        ('C4', 'B1', 1::DECIMAL(10,3), 'NaN'::DOUBLE, NULL, '1'),
        ('C1', 'B2', 1::DECIMAL(10,3), 1::DOUBLE, NULL, '1'),
        ('C5', 'B1', 1::DECIMAL(10,3), 1::DOUBLE, DATE '2025-02-01', '1'),
        ('C6', 'B1', 1::DECIMAL(10,3), 1::DOUBLE, NULL, 'ignored: not a column')
      ) v(customer_id, branch, aum, deposits, open_date, extra)) TO '${path}' (FORMAT parquet)`);
    const f: SnapshotFile = { path, name: 'typed_2025-01-31.parquet', format: 'parquet', dateFromName: '2025-01-31' };
    const { report, rows } = await load(f);
    expect(rows).toEqual([
      { customer_id: 'C1', branch: 'B1', aum: '123457', deposits: '1235', open_date: '2020-01-01' },
      { customer_id: 'C6', branch: 'B1', aum: '100', deposits: '100', open_date: null },
    ]);
    expect(report).toMatchObject({ format: 'parquet', encoding: null, rowsRead: 7, rowsUsed: 2, ignoredColumns: ['extra'] });
    expect(report.examples).toEqual([
      { reason: 'duplicate_customer_id', line: 5, column: 'customer_id', value: null },
      { reason: 'missing_branch', line: 2, column: 'branch', value: '' },
      { reason: 'negative_aum', line: 3, column: 'aum', value: '-1.000' },
      { reason: 'invalid_deposits', line: 4, column: 'deposits', value: 'nan' },
      { reason: 'open_date_after_snapshot', line: 6, column: 'open_date', value: '2025-02-01' },
    ]);
    expect(report.rejected).toEqual({ duplicate_customer_id: 1, missing_branch: 1, negative_aum: 1, invalid_deposits: 1, open_date_after_snapshot: 1 });

    const text = join(dir, 'text_2025-01-31.parquet');
    await conn.run(`COPY (SELECT * FROM (VALUES ('C1', 'B1', '1,234.565', '1e3'), ('C2', 'B1', '7', '0.5'), ('C3', '', '1', '1')) v(customer_id, branch, aum, deposits)) TO '${text}' (FORMAT parquet)`);
    const t = await load({ path: text, name: 'text_2025-01-31.parquet', format: 'parquet', dateFromName: '2025-01-31' });
    expect(t.rows).toEqual([{ customer_id: 'C2', branch: 'B1', aum: '700', deposits: '50', open_date: null }]);
    expect(t.report.examples).toEqual([
      { reason: 'missing_branch', line: 3, column: 'branch', value: '' },
      { reason: 'invalid_deposits', line: 1, column: 'deposits', value: '1e3' },
    ]);
  });
});

describe('paths', () => {
  it('reads files whose names hold quotes or glob characters', async () => {
    const f = await put("it's [1] {a}*_2025-01-31.csv", csv('customer_id,branch,aum,deposits', 'C1,B1,1,1', 'C2,,1,1'));
    const { report } = await load(f);
    expect(report).toMatchObject({ rowsUsed: 1, examples: [{ reason: 'missing_branch', line: 3, column: 'branch', value: '' }] });
    const g = await put('[x]_2025-01-31.csv.gz', gzipSync(csv('customer_id,branch,aum,deposits', 'C1,B1,1,1')));
    expect((await load(g)).report.rowsUsed).toBe(1);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('fails on a file that is not Parquet inside', async () => {
    const f = await put('fake_2025-01-31.parquet', 'customer_id,branch\n');
    expect((await failure(load(f))).message).toMatch(new RegExp(`^${f.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read the Parquet file: `));
  });
});

describe('snapshot date', () => {
  it('takes the date from a snapshot_date column, which wins over the file name', async () => {
    const f = await put('2025-01-01.csv', csv('数据日期,customer_id,branch,aum,deposits,open_date', '2025/3/31,C1,B1,1,1,2025-03-31', '20250331,C2,B1,1,1,'));
    const { report } = await load(f);
    expect(report.snapshotDate).toBe('2025-03-31');
    expect(report.rowsUsed).toBe(2);
  });

  it('fails when a row holds another date, naming its line and column', async () => {
    const f = await put('mixed.csv', csv('customer_id,branch,aum,deposits,snapshot_date', 'C1,B1,1,1,2025-03-31', '"C\n2",B1,1,1,2025-03-31', 'C3,B1,1,1,2025-04-30'));
    const e = await failure(load(f));
    expect(e.message).toBe(`${f.path}:5: column "snapshot_date": snapshot_date "2025-04-30" differs from the first row's 2025-03-31; one file holds one snapshot date`);
    const g = await put('baddate.csv', csv('customer_id,branch,aum,deposits,snapshot_date', 'C1,B1,1,1,March'));
    expect((await failure(load(g))).message).toBe(`${g.path}:2: column "snapshot_date": not a date: "March"; expected YYYY-MM-DD, YYYY/M/D, YYYYMMDD or YYYY年M月D日, each perhaps followed by a time (2020-01-05 00:00:00)`);
  });

  it('fails when neither a column nor the name gives a date', async () => {
    const f = await put('book.csv', csv('customer_id,branch,aum,deposits', 'C1,B1,1,1'));
    const e = await failure(load(f));
    expect(e.message).toMatch(new RegExp(`^${f.path}: no snapshot date: the file has no snapshot_date column and its name holds no date`));
  });
});

describe('whole-file failures', () => {
  it('fails when rejected rows exceed maxRejectShare, naming share, reasons, line and column', async () => {
    const f = await put('share_2025-01-31.csv', csv('customer_id,branch,金融资产,deposits', ...Array.from({ length: 97 }, (_, i) => `C${i},B1,1,1`), 'X1,B1,abc,1', 'X2,B1,-2,1', 'X3,B1,x,1'));
    const e = await failure(loadSnapshot(conn, f, parseConfig({}), 't', { tmpDir: tmp }));
    expect(e.message).toBe(
      `${f.path}: 3% of rows rejected (3 of 100), above the limit of 1% (config maxRejectShare). Main reasons: ` +
        'invalid_aum 2 (first at line 99, column "金融资产", value "abc"); negative_aum 1 (first at line 100, column "金融资产", value "-2")',
    );
    expect((await loadSnapshot(conn, f, parseConfig({ maxRejectShare: 0.03 }), 't', { tmpDir: tmp })).rowsUsed).toBe(97);
  });

  it('fails on a missing required column, listing headers and aliases', async () => {
    const f = await put('cols_2025-01-31.csv', csv('客户号,网点,存款余额,备注', 'C1,B1,1,x'));
    const e = await failure(load(f));
    expect(e.message).toContain(`${f.path}:1: missing required column aum`);
    expect(e.message).toContain('headers found: "客户号", "网点", "存款余额", "备注"');
    expect(e.message).toContain('"金融资产"');
  });

  it('fails on a quote that is never closed, an empty file and a missing file', async () => {
    const q = await put('quote_2025-01-31.csv', csv('customer_id,branch,aum,deposits', 'C1,B1,1,1', 'C2,"B1,1,1', 'C3,B1,1,1'));
    expect((await failure(load(q))).message).toMatch(new RegExp(`^${q.path}:3: `));
    const empty = await put('nothing_2025-01-31.csv', '');
    expect((await failure(load(empty))).message).toBe(`${empty.path}: the file is empty; expected a header line`);
    const gone: SnapshotFile = { path: join(dir, 'gone.csv'), name: 'gone.csv', format: 'csv', dateFromName: null };
    expect((await failure(load(gone))).message).toBe(`${gone.path}: cannot read the file (ENOENT)`);
    await expect(conn.run('SELECT * FROM t')).rejects.toThrow(/does not exist/);
    expect(await readdir(tmp)).toEqual([]);
  });
});

describe('session state', () => {
  it('leaves preserve_insertion_order as it found it and reports progress', async () => {
    await conn.run('SET preserve_insertion_order = false');
    const f = await put('progress_2025-01-31.csv', csv('customer_id,branch,aum,deposits', 'C1,B1,1,1', 'C2,B1,1,1'));
    const seen: { rowsRead: number; bytesRead?: number }[] = [];
    await loadSnapshot(conn, f, parseConfig({}), 'p', { tmpDir: tmp, onProgress: (p) => seen.push(p) });
    expect((await conn.runAndReadAll(`SELECT current_setting('preserve_insertion_order') AS v`)).getRowObjectsJS()[0]!.v).toBe(false);
    await conn.run('SET preserve_insertion_order = true');
    expect(seen.at(-1)).toEqual({ rowsRead: 2 });
    expect(seen.some((p) => p.bytesRead === 52)).toBe(true);
  });
});
