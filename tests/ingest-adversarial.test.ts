// Broken and adversarial snapshot folders, each run through the real pipeline
// CLI: every case ends either in exit 1 with one message naming the file (and
// the line and column where they apply), no stack trace and the previous output
// untouched, or in a run whose bad rows are rejected with a named reason and
// whose aggregates equal those of the same file without them.
import { DuckDBInstance } from '@duckdb/node-api';
import iconv from 'iconv-lite';
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, truncateSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/lib/config.ts';
import { InputError } from '../src/engine/errors.ts';
import type { Progress } from '../src/engine/progress.ts';
import { runPipeline } from '../src/engine/run.ts';
import { readJson, readTree, runCli, runInProcess, tempDir } from './helpers/pipeline.ts';

const HEADER = 'customer_id,branch,aum,deposits';
/** No disclosure control, so totals can be checked by hand. */
const OPEN = { privacy: { minCell: 1, pPercent: 0 } };

/** 150 customers in three branches; aum of customer i is 1000·(i+1) 元, deposits 10 元. */
function bookLines(): string[] {
  return Array.from({ length: 150 }, (_, i) => `C${i},B${i % 3},${1000 * (i + 1)},10`);
}
const BOOK_AUM_FEN = 1000 * ((150 * 151) / 2) * 100; // Σ 1000·(i+1) 元, in fen

let root: string;
let prevOut: string;
let prevTree: Map<string, Buffer>;

beforeAll(async () => {
  root = await tempDir('ts-adversarial-');
  // The previous output every failing run must leave as it was.
  const prevData = path.join(root, 'prev-data');
  await mkdir(prevData);
  await writeFile(path.join(prevData, '2024-12-31.csv'), [HEADER, ...bookLines()].join('\n') + '\n');
  prevOut = path.join(root, 'out');
  await runInProcess(prevData, prevOut, OPEN);
  prevTree = await readTree(prevOut);
});

let n = 0;
/** A fresh data folder holding `files` (name → content) and the open config. */
async function folder(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = path.join(root, `case-${++n}`);
  await mkdir(dir);
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  await writeFile(path.join(dir, 'tierscope.config.json'), JSON.stringify(OPEN));
  return dir;
}

/** Runs the CLI on `dir` into the previous output and expects exactly `error: <message>` and nothing else. */
async function expectFailure(dir: string, message: string | RegExp): Promise<string> {
  const siblings = await readdir(root);
  const r = runCli(['--data', dir, '--out', prevOut, '--quiet']);
  expect(r.stderr).not.toMatch(/^\s+at /m); // no stack trace
  expect(r.status).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n');
  expect(lines.at(-1)).toBe('');
  expect(lines).toHaveLength(2); // one message, one line
  if (typeof message === 'string') expect(lines[0]).toBe(`error: ${message}`);
  else expect(lines[0]).toMatch(message);
  expect(await readTree(prevOut)).toEqual(prevTree);
  expect(await readdir(root)).toEqual(siblings); // no half-written folder beside --out
  return lines[0]!;
}

/** Runs the CLI on `dir` into a new folder, expecting success. */
async function expectSuccess(dir: string): Promise<{ out: string; stdout: string }> {
  const out = `${dir}-out`;
  const r = runCli(['--data', dir, '--out', out, '--quiet']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return { out, stdout: r.stdout };
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('compressed and binary files', () => {
  it('fails on a truncated .csv.gz, naming it', async () => {
    const gz = gzipSync([HEADER, ...bookLines()].join('\n') + '\n');
    const dir = await folder({ '2025-01-31.csv.gz': gz.subarray(0, gz.length - 30) });
    await expectFailure(dir, `${dir}/2025-01-31.csv.gz: not a valid gzip file: it is cut short (unexpected end of file); copy it again`);
  });

  it('fails on a Parquet file with a broken footer, or cut short', async () => {
    const dir = await folder({});
    const good = path.join(root, 'good_2025-01-31.parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    await conn.run(`COPY (SELECT 'C' || i AS customer_id, 'B1' AS branch, i * 100 AS aum, 1 AS deposits FROM range(1, 200) t(i)) TO '${good}' (FORMAT parquet)`);
    const bytes = await readFile(good);
    const footer = Buffer.from(bytes);
    footer.writeUInt32LE(0x7fffffff, footer.length - 8); // footer length beyond the file
    await writeFile(path.join(dir, '2025-01-31.parquet'), footer);
    await expectFailure(dir, new RegExp(`^error: ${esc(dir)}/2025-01-31\\.parquet: cannot read the Parquet file: `));

    const cut = await folder({ '2025-01-31.parquet': bytes.subarray(0, Math.floor(bytes.length / 2)) });
    await expectFailure(cut, new RegExp(`^error: ${esc(cut)}/2025-01-31\\.parquet: cannot read the Parquet file: `));
    conn.closeSync();
    instance.closeSync();
  });

  it('fails on Parquet columns of a type that cannot hold the column, naming it', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    const cases: [string, string, string][] = [
      ['true AS aum, 1 AS deposits, 1 AS customer_id', 'aum', 'BOOLEAN'],
      ["DATE '2020-01-01' AS aum, 1 AS deposits, 1 AS customer_id", 'aum', 'DATE'],
      ['1 AS aum, 1 AS deposits, 1.5::DOUBLE AS customer_id', 'customer_id', 'DOUBLE'],
      ["1 AS aum, [1, 2] AS deposits, 'C1' AS customer_id", 'deposits', 'INTEGER[]'],
      ["1 AS aum, 1 AS deposits, 'C1' AS customer_id, 1.5::FLOAT AS open_date", 'open_date', 'FLOAT'],
    ];
    for (const [select, column, type] of cases) {
      const dir = await folder({});
      const file = path.join(dir, '2025-01-31.parquet');
      await conn.run(`COPY (SELECT 'B1' AS branch, ${select}) TO '${file}' (FORMAT parquet)`);
      await expectFailure(dir, new RegExp(`^error: ${esc(file)}: column "${column}": Parquet type ${esc(type)} cannot hold ${column}; expected `));
    }
    conn.closeSync();
    instance.closeSync();
  });

  it('fails on NUL bytes, naming the line and byte offset', async () => {
    const head = `${HEADER}\nC1,B1,100,10\nC2,B`;
    const dir = await folder({ '2025-01-31.csv': Buffer.concat([Buffer.from(head), Buffer.from([0]), Buffer.from('1,200,10\nC3,B1,300,10\n')]) });
    await expectFailure(
      dir,
      `${dir}/2025-01-31.csv:3: a NUL byte (0x00) at byte offset ${head.length}: a CSV file holds none, so the file is damaged or in UTF-16 (save it as UTF-8 or GB18030)`,
    );
    // The usual damage: a file padded with zeros after a crash, here inside gzip.
    const text = `${HEADER}\nC1,B1,100,10\n`;
    const gz = await folder({ '2025-01-31.csv.gz': gzipSync(Buffer.concat([Buffer.from(text), Buffer.alloc(4096)])) });
    await expectFailure(gz, new RegExp(`^error: ${esc(gz)}/2025-01-31\\.csv\\.gz:3: a NUL byte \\(0x00\\) at byte offset ${text.length} of the decompressed data: `));
    // UTF-16 (little-endian, no BOM): every ASCII character carries a NUL.
    const u16 = await folder({ '2025-01-31.csv': iconv.encode(`${HEADER}\nC1,B1,100,10\n`, 'utf-16le') });
    await expectFailure(u16, `${u16}/2025-01-31.csv:1: a NUL byte (0x00) at byte offset 1: a CSV file holds none, so the file is damaged or in UTF-16 (save it as UTF-8 or GB18030)`);
  });
});

describe('CSV structure', () => {
  it('fails on a quote that is never closed, in the last record or in the header', async () => {
    const last = await folder({ '2025-01-31.csv': [HEADER, ...bookLines(), 'C900,"B1,100,10'].join('\n') + '\n' });
    await expectFailure(last, new RegExp(`^error: ${esc(last)}/2025-01-31\\.csv:152: `));
    const header = await folder({ '2025-01-31.csv': ['customer_id,"branch,aum,deposits', ...bookLines()].join('\n') + '\n' });
    await expectFailure(header, `${header}/2025-01-31.csv:1: a quote in the header line is never closed`);
  });

  it('fails on a 10 MB line, in the body or as the only line', async () => {
    const huge = 'x'.repeat(10 << 20);
    const body = await folder({ '2025-01-31.csv': [HEADER, 'C1,B1,100,10', `C2,${huge},200,10`, 'C3,B1,300,10'].join('\n') + '\n' });
    await expectFailure(
      body,
      `${body}/2025-01-31.csv:3: a record longer than 2 MB, which no customer row is (a quote that is never closed, or a damaged file)`,
    );
    const quoted = await folder({ '2025-01-31.csv': [HEADER, 'C1,B1,100,10', `C2,"${huge}",200,10`].join('\n') + '\n' });
    await expectFailure(quoted, new RegExp(`^error: ${esc(quoted)}/2025-01-31\\.csv:3: a record longer than 2 MB`));
    const single = await folder({ '2025-01-31.csv': `${HEADER},${huge}` });
    await expectFailure(single, `${single}/2025-01-31.csv:1: no end of the header line in the first 1 MB`);
  });

  it('rejects a header repeated mid-file (files joined together) and counts every other row', async () => {
    const rows = bookLines();
    const clean = await folder({ '2025-01-31.csv': [HEADER, ...rows].join('\n') + '\n' });
    // The second part's header carries its own BOM and other spellings of the same columns.
    const joined = [HEADER, ...rows.slice(0, 70), '\uFEFF客户号, Branch ,"金融资产",存款余额', ...rows.slice(70)].join('\n') + '\n';
    const dir = await folder({ '2025-01-31.csv': joined });
    const a = await expectSuccess(clean);
    const b = await expectSuccess(dir);
    expect(b.stdout).toContain('2025-01-31.csv: read 151, used 150, rejected 1');
    const quality = await readJson(b.out, 'quality.json');
    expect(quality.files[0].rejected).toEqual({ repeated_header: 1 });
    expect(quality.files[0].examples).toHaveLength(1);
    expect(quality.files[0].examples[0]).toMatchObject({ reason: 'repeated_header', line: 72, column: null });
    // The aggregates are those of the file without the repeated header.
    const snapA = await readFile(path.join(a.out, 'snapshots/2025-01-31.json'), 'utf8');
    expect(await readFile(path.join(b.out, 'snapshots/2025-01-31.json'), 'utf8')).toBe(snapA);
    const bank = JSON.parse(snapA).scopes.find((s: { branch: string | null }) => s.branch === null);
    expect([bank.customers, bank.aum]).toEqual([150, BOOK_AUM_FEN]);
  });

  it('rejects a repeated header before it can pass for a second snapshot date', async () => {
    const rows = bookLines().map((r) => `${r},2025-01-31`);
    const dir = await folder({ 'book.csv': [`${HEADER},snapshot_date`, ...rows.slice(0, 10), `${HEADER},snapshot_date`, ...rows.slice(10)].join('\n') + '\n' });
    const { out, stdout } = await expectSuccess(dir);
    expect(stdout).toContain('book.csv: read 151, used 150, rejected 1');
    expect((await readJson(out, 'quality.json')).files[0].rejected).toEqual({ repeated_header: 1 });
  });

  it('fails on an empty file and on a header without rows', async () => {
    const empty = await folder({ '2025-01-31.csv': '' });
    await expectFailure(empty, `${empty}/2025-01-31.csv: the file is empty; expected a header line`);
    const header = await folder({ '2024-12-31.csv': [HEADER, ...bookLines()].join('\n') + '\n', '2025-01-31.csv': `${HEADER}\r\n\r\n` });
    await expectFailure(
      header,
      `${header}/2025-01-31.csv: no customer rows, only a header; a snapshot lists every customer of its date, so this export has failed`,
    );
  });
});

describe('encodings', () => {
  const gbk = (s: string) => iconv.encode(s, 'gb18030');

  it('fails on a UTF-8 file that goes on in GB18030, naming the first line that is not UTF-8', async () => {
    // A UTF-8 header (as a script writes it) over rows from a GBK core system.
    const head = Buffer.from('客户号,网点,金融资产,存款余额\nC1,B1,100,10\n');
    const dir = await folder({ '2025-01-31.csv': Buffer.concat([head, gbk('C2,城东支行,200,10\nC3,城西支行,300,10\n')]) });
    await expectFailure(
      dir,
      `${dir}/2025-01-31.csv:3: not valid UTF-8 after UTF-8 text (mixed encodings, or a damaged file; save it in one encoding, UTF-8 or GB18030): bad byte sequence 0xB3 0xC7 0xB6 0xAB at byte offset ${head.length + 3}`,
    );
  });

  it('fails on a GB18030 file with UTF-8 rows appended, naming where the UTF-8 starts', async () => {
    const head = gbk(['客户号,网点,金融资产,存款余额', ...Array.from({ length: 20 }, (_, i) => `C${i},城东支行,${100 + i},10`)].join('\n') + '\n');
    // Each UTF-8 row is valid GB18030 as well (an even number of CJK characters): read
    // as GB18030 it would count as mojibake branches.
    const tail = Buffer.from(['U1,城西支行,100,10', 'U2,城西支行,100,10', 'U3,城南支行,100,10', 'U4,城北支行,100,10'].join('\n') + '\n');
    expect(() => new TextDecoder('gb18030', { fatal: true }).decode(tail)).not.toThrow();
    const dir = await folder({ '2025-01-31.csv': Buffer.concat([head, tail]) });
    await expectFailure(
      dir,
      `${dir}/2025-01-31.csv:22: text in UTF-8 from byte offset ${head.length}, in a file that is otherwise GB18030; the file mixes encodings: save it in one encoding, UTF-8 or GB18030`,
    );
    await writeFile(path.join(dir, 'tierscope.config.json'), JSON.stringify({ ...OPEN, csv: { encoding: 'gb18030' } }));
    await expectFailure(dir, new RegExp(`^error: ${esc(dir)}/2025-01-31\\.csv:22: text in UTF-8 from byte offset ${head.length}, .*set csv.encoding to "utf-8" or "auto"`));
  });

  it('finds the UTF-8 rows in a GB18030 file large enough to be decoded on worker threads', async () => {
    const line = gbk('C0000000,城东支行营业部,1234567.89,23456.78\n');
    const rows = Math.ceil((17 << 20) / line.length); // above the 16 MB from which threads decode
    const head = Buffer.concat([gbk('客户号,网点,金融资产,存款余额\n'), Buffer.alloc(rows * line.length)]);
    for (let i = 0; i < rows; i++) line.copy(head, head.length - (rows - i) * line.length);
    const tail = Buffer.from('U1,城西支行,100,10\nU2,城西支行,100,10\nU3,城南支行,100,10\nU4,城北支行,100,10\n');
    const dir = await folder({ '2025-01-31.csv': Buffer.concat([head, tail]) });
    await expectFailure(dir, new RegExp(`^error: ${esc(dir)}/2025-01-31\\.csv:${rows + 2}: text in UTF-8 from byte offset ${head.length}, `));
  });

  it('still reads a GB18030 file whose first characters happen to be valid UTF-8', async () => {
    // "城东" in GB18030 is B3 C7 B6 AB, not UTF-8; "中" is D6 D0, which is UTF-8 (U+05D0).
    const text = [HEADER, 'C1,中,100,10', ...Array.from({ length: 30 }, (_, i) => `D${i},城东支行,${1000 + i},10`)].join('\n') + '\n';
    const dir = await folder({ '2025-01-31.csv': gbk(text) });
    const { out } = await expectSuccess(dir);
    const meta = await readJson(out, 'meta.json');
    expect(meta.branches.map((b: { code: string }) => b.code).sort()).toEqual(['中', '城东支行']);
  });
});

describe('snapshot dates', () => {
  it('fails on a snapshot dated after today, from the name or from a column', async () => {
    const byName = await folder({ '2099-01-31.csv': [HEADER, ...bookLines()].join('\n') + '\n' });
    await expectFailure(
      byName,
      new RegExp(
        `^error: ${esc(byName)}/2099-01-31\\.csv: snapshot date 2099-01-31 is after today \\(\\d{4}-\\d{2}-\\d{2}\\); a snapshot is the book of a day that has passed \\(the date comes from the file name\\)$`,
      ),
    );
    const byColumn = await folder({ 'book_2025-01-31.csv': [`${HEADER},数据日期`, ...bookLines().map((r) => `${r},20990131`)].join('\n') + '\n' });
    await expectFailure(byColumn, new RegExp(`^error: ${esc(byColumn)}/book_2025-01-31\\.csv: column "数据日期": snapshot date 2099-01-31 is after today `));
  });

  it('takes a snapshot dated today and refuses one dated tomorrow', async () => {
    const dir = await folder({ '2025-06-30.csv': [HEADER, ...bookLines()].join('\n') + '\n' });
    const run = (today: string) =>
      runPipeline({ snapshotsDir: dir, outDir: path.join(root, `today-${today}`), config: parseConfig(OPEN), progress: silent(), today });
    expect((await run('2025-06-30')).reports[0]!.rowsUsed).toBe(150);
    const e = await run('2025-06-29').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).message).toMatch(/^.*2025-06-30\.csv: snapshot date 2025-06-30 is after today \(2025-06-29\)/);
  });

  it('fails when two files hold the same date, naming both', async () => {
    const body = [HEADER, ...bookLines()].join('\n') + '\n';
    const dir = await folder({ 'a_2025-01-31.csv': body, 'b_20250131.csv.gz': gzipSync(body) });
    await expectFailure(dir, `${dir}/b_20250131.csv.gz: snapshot date 2025-01-31 is also the date of a_2025-01-31.csv; keep one file per date`);
    const column = await folder({ '2025-01-31.csv': body, 'other.csv': [`${HEADER},snapshot_date`, ...bookLines().map((r) => `${r},2025-01-31`)].join('\n') + '\n' });
    await expectFailure(column, `${column}/other.csv: snapshot date 2025-01-31 is also the date of 2025-01-31.csv; keep one file per date`);
  });
});

/** A Progress that reports nothing; `onTick` sees every tick. */
function silent(onTick?: (message: string) => void): Progress {
  return {
    timings: [],
    stage: (_name, work) => work(),
    tick: (m) => onTick?.(m),
    info: () => {},
    warn: () => {},
  };
}

describe('a file that changes while it is read', () => {
  it('fails naming the file when rows are appended during the load, and leaves the output alone', async () => {
    const dir = await folder({ '2025-01-31.csv': [HEADER, ...bookLines()].join('\n') + '\n' });
    const file = path.join(dir, '2025-01-31.csv');
    let appended = false;
    // The first progress tick comes while the file is being hashed: an export still writing it.
    const progress = silent(() => {
      if (!appended) appendFileSync(file, 'C999,B1,5000,10\n');
      appended = true;
    });
    const e = await runPipeline({ snapshotsDir: dir, outDir: prevOut, config: parseConfig(OPEN), progress }).catch((x: unknown) => x);
    expect(appended).toBe(true);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).message).toBe(
      `${file}: the file changed while it was being read (is an export still writing it?); run again once it is complete`,
    );
    expect(await readTree(prevOut)).toEqual(prevTree);
  });

  // With a cache, a Parquet file is hashed before the loads and not read again for its
  // hash; the identity taken before that hash must still catch a change before the load.
  describe('a Parquet file hashed once, for the cache and the load', () => {
    async function parquetPair(dir: string, rows: number): Promise<void> {
      const instance = await DuckDBInstance.create(':memory:');
      const conn = await instance.connect();
      for (const date of ['2025-01-31', '2025-02-28'])
        await conn.run(
          `COPY (SELECT 'C' || i AS customer_id, 'B' || (i % 3) AS branch, i * 100 AS aum, 1 AS deposits FROM range(1, ${rows + 1}) t(i)) TO '${path.join(dir, `${date}.parquet`)}' (FORMAT parquet)`,
        );
      conn.closeSync();
      instance.closeSync();
    }

    it('records the sha256 of the bytes on disk', async () => {
      const dir = await folder({});
      await parquetPair(dir, 300);
      const out = path.join(root, `out-${++n}`);
      const { manifest } = await runPipeline({ snapshotsDir: dir, outDir: out, config: parseConfig(OPEN), progress: silent(), cacheDir: path.join(root, `cache-${n}`) });
      for (const input of manifest.inputs)
        expect(input.sha256).toBe(createHash('sha256').update(await readFile(path.join(dir, input.file))).digest('hex'));
    });

    it('fails naming the file when it is replaced after it was hashed', async () => {
      const dir = await folder({});
      await parquetPair(dir, 300);
      const file = path.join(dir, '2025-02-28.parquet');
      const spare = await folder({});
      await parquetPair(spare, 1);
      let replaced = false;
      const progress = silent((m) => {
        // Both files are hashed before any load begins; the first load's tick is after that.
        if (!replaced && m.startsWith('load ')) {
          copyFileSync(path.join(spare, '2025-02-28.parquet'), file);
          replaced = true;
        }
      });
      const e = await runPipeline({ snapshotsDir: dir, outDir: prevOut, config: parseConfig(OPEN), progress, cacheDir: path.join(root, `cache-${n}`) }).catch((x: unknown) => x);
      expect(replaced).toBe(true);
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).message).toMatch(new RegExp(`^${esc(file)}: the file changed while it was being read`));
      expect(await readTree(prevOut)).toEqual(prevTree);
    });
  });

  it('fails naming the file when it is cut short during the load', async () => {
    const dir = await folder({ '2025-01-31.csv': [HEADER, ...bookLines()].join('\n') + '\n' });
    const file = path.join(dir, '2025-01-31.csv');
    let cut = false;
    const progress = silent(() => {
      if (!cut) truncateSync(file, 200);
      cut = true;
    });
    const e = await runPipeline({ snapshotsDir: dir, outDir: prevOut, config: parseConfig(OPEN), progress }).catch((x: unknown) => x);
    expect(cut).toBe(true);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).message).toMatch(new RegExp(`^${esc(file)}: the file changed while it was being read`));
    expect(await readTree(prevOut)).toEqual(prevTree);
  });
});

// What a new user's first week of real exports holds (issue 14), through the CLI:
// balances beyond the exact range, file names with two dates, unreadable open
// dates, Excel's rows of bare delimiters, and messages that say what they mean.
describe('real exports (issue 14)', () => {
  it('rejects a placeholder balance per row as amount_too_large and goes on', async () => {
    const dir = await folder({ '2025-01-31.csv': [HEADER, ...bookLines(), 'X1,B1,99999999999999.99,0'].join('\n') + '\n' });
    const { out, stdout } = await expectSuccess(dir);
    expect(stdout).toContain('2025-01-31.csv: read 151, used 150, rejected 1; dated 2025-01-31 by its name');
    const quality = await readJson(out, 'quality.json');
    expect(quality.files[0].rejected).toEqual({ amount_too_large: 1 });
    expect(quality.files[0].examples).toEqual([{ reason: 'amount_too_large', line: 152, column: 'aum' }]);
  });

  it('fails in one line, no stack trace, when a file sums past 2^53 − 1 fen, and when a period\'s changes do', async () => {
    const dir = await folder({ '2025-01-31.csv': [HEADER, ...bookLines(), 'X1,B1,50000000000000,0', 'X2,B2,50000000000000,0'].join('\n') + '\n' });
    await expectFailure(
      dir,
      `${dir}/2025-01-31.csv: column "aum": the total aum of the file's 152 customers is 100,000,011,325,000.00 元, above 90,071,992,547,409.91 元 (2^53 − 1 fen), ` +
        'the largest total the report adds up exactly; the largest value is "50000000000000" at line 152: check the export for placeholder or misplaced values',
    );
    // Each snapshot sums within the range; the changes from one to the other do not.
    const swap = await folder({
      '2024-12-31.csv': [HEADER, ...bookLines(), 'X1,B1,50000000000000,0', 'X2,B2,0,0'].join('\n') + '\n',
      '2025-01-31.csv': [HEADER, ...bookLines(), 'X1,B1,0,0', 'X2,B2,50000000000000,0'].join('\n') + '\n',
    });
    await expectFailure(
      swap,
      `${swap}/2025-01-31.csv: the sum of aum changes from 2024-12-31 (2024-12-31.csv) to 2025-01-31, Σ |end − start| over the customers in both, is 100,000,000,000,000.00 元, ` +
        'above 90,071,992,547,409.91 元 (2^53 − 1 fen), the largest sum the report adds up exactly: check both files for placeholder or misplaced values',
    );
  });

  it('names every file\'s date and where it came from, and refuses a name with two dates', async () => {
    const two = '客户_2025-3-31_导出20250401.csv';
    const dir = await folder({
      [two]: [HEADER, ...bookLines()].join('\n') + '\n',
      '客户_2025-4-30.csv': [HEADER, ...bookLines()].join('\n') + '\n',
      'export.csv': [`${HEADER},数据日期`, ...bookLines().map((r) => `${r},2025-05-31 00:00:00`)].join('\n') + '\n',
    });
    await expectFailure(
      dir,
      `${dir}/${two}: the file name holds two dates, 2025-03-31 and 2025-04-01, and nothing says which is the snapshot date; ` +
        `add a snapshot_date column, rename the file to hold one date, or map it in the config: "snapshotDates": {"${two}": "2025-03-31"}`,
    );
    await writeFile(path.join(dir, 'tierscope.config.json'), JSON.stringify({ ...OPEN, snapshotDates: { [two]: '2025-03-31' } }));
    const { stdout } = await expectSuccess(dir);
    // In date order.
    expect(stdout.split('\n').slice(0, 3)).toEqual([
      `${two}: read 150, used 150, rejected 0; dated 2025-03-31 by config snapshotDates`,
      '客户_2025-4-30.csv: read 150, used 150, rejected 0; dated 2025-04-30 by its name',
      'export.csv: read 150, used 150, rejected 0; dated 2025-05-31 by column "数据日期"',
    ]);
  });

  it('keeps customers with unreadable open dates, with a warning, and reads datetime and 年月日 dates', async () => {
    const rows = bookLines().map((r, i) => `${r},${['2020-01-05 00:00:00', '2020年1月5日', '2020/1/5', '20200105', ''][i % 5]}`);
    rows[7] = 'C7,B1,8000,10,05.01.2020';
    const dir = await folder({ '2025-01-31.csv': [`${HEADER},open_date`, ...rows].join('\n') + '\n' });
    const out = `${dir}-out`;
    const r = runCli(['--data', dir, '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('2025-01-31.csv: read 150, used 150, rejected 0; dated 2025-01-31 by its name');
    expect(r.stderr).toContain('  2025-01-31.csv:9: column "open_date": invalid_open_date ("05.01.2020") (row kept, value treated as missing)\n');
    expect(r.stderr).toContain(
      'warning: 2025-01-31.csv: 1 row(s) have an unreadable open_date (invalid_open_date); the customers are kept and the date treated as missing\n',
    );
    const bank = (await readJson(out, 'snapshots/2025-01-31.json')).scopes.find((s: { branch: string | null }) => s.branch === null);
    expect([bank.customers, bank.aum]).toEqual([150, BOOK_AUM_FEN]);
    expect((await readJson(out, 'quality.json')).files[0]).toMatchObject({ rowsUsed: 150, rejected: {}, warned: { invalid_open_date: 1 } });
  });

  it('skips rows of bare delimiters (Excel\'s empty rows) and counts them apart; they cannot fail a file', async () => {
    const dir = await folder({ '2025-01-31.csv': [HEADER, ...bookLines().slice(0, 75), ',,,', ' , , , ', ...bookLines().slice(75), ',,,', ',,,', ',,,'].join('\n') + '\n' });
    const { out, stdout } = await expectSuccess(dir);
    expect(stdout).toContain('2025-01-31.csv: read 150, used 150, rejected 0, skipped 5 blank lines; dated 2025-01-31 by its name\n');
    expect(stdout).toContain('total: read 150, used 150, rejected 0, skipped 5 blank lines\n');
    expect((await readJson(out, 'quality.json')).files[0]).toMatchObject({ rowsRead: 150, rowsUsed: 150, rowsRejected: 0, rowsSkipped: 5, rejected: {} });
  });

  it('prints the reject share apart from the limit, refuses maxRejectShare 1, and warns about branch names of no snapshot', async () => {
    const many = Array.from({ length: 20_050 - 201 }, (_, i) => `C${i},B${i % 3},1000,10`);
    const bad = await folder({ '2025-01-31.csv': [HEADER, ...many, ...Array.from({ length: 201 }, (_, i) => `X${i},B1,abc,10`)].join('\n') + '\n' });
    await writeFile(path.join(bad, 'tierscope.config.json'), '{}');
    await expectFailure(
      bad,
      `${bad}/2025-01-31.csv: 1.002% of rows rejected (201 of 20,050), above the limit of 1% (config maxRejectShare). Main reasons: invalid_aum 201 (first at line 19851, column "aum", value "abc")`,
    );

    const dir = await folder({ '2025-01-31.csv': [HEADER, ...bookLines()].join('\n') + '\n' });
    await writeFile(path.join(dir, 'tierscope.config.json'), JSON.stringify({ ...OPEN, maxRejectShare: 1 }));
    const r = runCli(['--data', dir, '--out', `${dir}-out`, '--quiet']);
    expect([r.status, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toBe(
      `error: ${dir}/tierscope.config.json: invalid config\n  maxRejectShare: must be a share from 0 up to (not including) 1: 0.01 means 1 % (got 1)\n`,
    );

    await writeFile(path.join(dir, 'tierscope.config.json'), JSON.stringify({ ...OPEN, branches: { B1: { zh: '城东', en: 'East' }, B7: { zh: '城西', en: 'West' } } }));
    const w = runCli(['--data', dir, '--out', `${dir}-out`]);
    expect(w.status).toBe(0);
    expect(w.stderr).toContain('warning: config branches names 1 code(s) that no snapshot holds: "B7" (a typo, or a branch with no customers in these files?)\n');
  });
});
