// The CSV dialect, header mapping and snapshot discovery: pure functions and a folder listing.
import fc from 'fast-check';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateFromName, discoverSnapshots } from '../src/engine/discover.ts';
import { InputError } from '../src/engine/errors.ts';
import { firstRecord, mapHeader, RecordScanner, splitRecord, type RecordSpan } from '../src/engine/header.ts';

describe('splitRecord', () => {
  it('splits on the delimiter and honours RFC 4180 quotes', () => {
    expect(splitRecord('a,b,c', ',')).toEqual(['a', 'b', 'c']);
    expect(splitRecord('"a,1","say ""hi""",c', ',')).toEqual(['a,1', 'say "hi"', 'c']);
    expect(splitRecord('"line\nbreak",x', ',')).toEqual(['line\nbreak', 'x']);
    expect(splitRecord('a,,', ',')).toEqual(['a', '', '']);
    expect(splitRecord('', ',')).toEqual(['']);
    expect(splitRecord(' "q" ,b', ',')).toEqual(['q', 'b']);
    expect(splitRecord('a"b,c', ',')).toEqual(['a"b', 'c']);
    expect(splitRecord('a\t"b\tc"\td', '\t')).toEqual(['a', 'b\tc', 'd']);
    expect(splitRecord('客户号|网点', '|')).toEqual(['客户号', '网点']);
  });
});

describe('firstRecord', () => {
  const enc = (s: string) => Buffer.from(s);
  it('finds the end of the header for LF, CRLF and CR files', () => {
    expect(firstRecord(enc('a,b\nc,d\n'), true)).toEqual({ end: 3, next: 4, newline: 'lf' });
    expect(firstRecord(enc('a,b\r\nc,d\r\n'), true)).toEqual({ end: 3, next: 5, newline: 'lf' });
    expect(firstRecord(enc('a,b\rc,d\r'), true)).toEqual({ end: 3, next: 4, newline: 'cr' });
  });
  it('does not end the header inside quotes, and asks for more when cut short', () => {
    expect(firstRecord(enc('"a\nb",c\nx'), true)).toEqual({ end: 7, next: 8, newline: 'lf' });
    expect(firstRecord(enc('"a\nb",c'), false)).toBeNull();
    expect(firstRecord(enc('a,b'), true)).toEqual({ end: 3, next: 3, newline: 'lf' });
    expect(firstRecord(enc('a,b\r'), false)).toBeNull();
  });
});

describe('RecordScanner', () => {
  const scan = (text: string, chunkSizes: number[] = [1 << 20], newline: 'lf' | 'cr' = 'lf', delimiter = ',') => {
    const bytes = Buffer.from(text);
    const out: RecordSpan[] = [];
    const s = new RecordScanner(delimiter, newline);
    let pos = 0;
    for (let k = 0; pos < bytes.length; k++) {
      const size = Math.max(1, chunkSizes[k % chunkSizes.length]!);
      s.push(bytes.subarray(pos, pos + size), (r) => void out.push(r));
      pos += size;
    }
    s.finish((r) => void out.push(r));
    return out.map((r) => ({ line: r.line, text: bytes.toString('utf8', r.start, r.end).replace(/\r$/, '') }));
  };

  it('gives each record its first physical line, skipping blank lines', () => {
    const text = 'h1,h2\r\na,1\r\n"b\r\nb",2\r\n\r\n\r\nc,"x""\ny"\r\n d , e \r\n\r\n';
    expect(scan(text)).toEqual([
      { line: 1, text: 'h1,h2' },
      { line: 2, text: 'a,1' },
      { line: 3, text: '"b\r\nb",2' },
      { line: 7, text: 'c,"x""\ny"' },
      { line: 9, text: ' d , e ' },
    ]);
  });

  it('treats a quote inside an unquoted field as text, and a quote after leading spaces as opening', () => {
    expect(scan('a,b"c\nd,e\n')).toEqual([
      { line: 1, text: 'a,b"c' },
      { line: 2, text: 'd,e' },
    ]);
    expect(scan('a, "b\nc"\nd\n')).toEqual([
      { line: 1, text: 'a, "b\nc"' },
      { line: 3, text: 'd' },
    ]);
  });

  it('reads CR-only files and a last record without a line break', () => {
    expect(scan('h\r"a\rb"\rc', [1 << 20], 'cr')).toEqual([
      { line: 1, text: 'h' },
      { line: 2, text: '"a\rb"' },
      { line: 4, text: 'c' },
    ]);
  });

  it('finds the same records however the input is cut into chunks', () => {
    const field = fc.oneof(
      fc.stringMatching(/^[a-z0-9 ]{0,4}$/),
      fc.stringMatching(/^[a-z"\n,]{0,5}$/).map((s) => `"${s.replace(/"/g, '""')}"`),
    );
    const record = fc.array(field, { minLength: 1, maxLength: 4 }).map((fs) => fs.join(','));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(record, fc.nat(2)), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }),
        (recs, crlf, chunks) => {
          const nl = crlf ? '\r\n' : '\n';
          let text = '';
          let line = 1;
          const expected: { line: number; text: string }[] = [];
          for (const [r, blanks] of recs) {
            // Blank lines between records; a record that is itself empty is a blank line too.
            text += nl.repeat(blanks);
            line += blanks;
            if (r !== '') expected.push({ line, text: r });
            text += r + nl;
            line += 1 + (r.match(/\n/g)?.length ?? 0);
          }
          expect(scan(text, chunks)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stops when the callback says so', () => {
    const s = new RecordScanner(',', 'lf');
    const seen: number[] = [];
    expect(s.push(Buffer.from('a\nb\nc\nd\n'), (r) => (seen.push(r.ordinal), r.ordinal === 1))).toBe(false);
    expect(seen).toEqual([0, 1]);
  });
});

describe('mapHeader', () => {
  it('maps canonical names, built-in and configured aliases, ignoring case and spaces', () => {
    const m = mapHeader([' Customer_ID ', '网点', 'AUM', '存款余额', '开户日期', 'note', ''], {}, 'f.csv');
    expect(m.index).toEqual({ customer_id: 0, branch: 1, aum: 2, deposits: 3, open_date: 4 });
    expect(m.names).toEqual({ customer_id: 'Customer_ID', branch: '网点', aum: 'AUM', deposits: '存款余额', open_date: '开户日期' });
    expect(m.headerMap).toEqual({ Customer_ID: 'customer_id', 网点: 'branch', AUM: 'aum', 存款余额: 'deposits', 开户日期: 'open_date' });
    expect(m.ignored).toEqual(['note', '#7']);
    expect(m.fieldCount).toBe(7);
    const c = mapHeader(['Cust No', 'org', '客户ID', 'bal', 'dep'], { 'cust no': 'customer_id', ORG: 'branch', bal: 'aum', dep: 'deposits', 客户id: 'snapshot_date' }, 'f.csv');
    expect(c.index).toEqual({ customer_id: 0, branch: 1, snapshot_date: 2, aum: 3, deposits: 4 });
  });

  it('names the headers found and the aliases that would match a missing column', () => {
    const run = () => mapHeader(['客户号', '网点', '存款', 'memo'], {}, 'data/snapshots/2025-01-31.csv');
    expect(run).toThrow(InputError);
    const err = (() => {
      try {
        run();
      } catch (e) {
        return e as InputError;
      }
    })()!;
    expect(err.file).toBe('data/snapshots/2025-01-31.csv');
    expect(err.message).toMatch(/^data\/snapshots\/2025-01-31\.csv:1: missing required column aum\n/);
    expect(err.message).toContain('headers found: "客户号", "网点", "存款", "memo"');
    expect(err.message).toContain('aum is matched by any of: "aum", "金融资产", "金融资产余额", "总资产", "资产余额"');
    expect(() => mapHeader([''], {}, 'x.csv')).toThrow(/missing required columns customer_id, branch, aum, deposits\n {2}headers found: \(none: the first line is empty\)/);
  });

  it('refuses two headers for one column', () => {
    expect(() => mapHeader(['customer_id', '客户号', 'branch', 'aum', 'deposits'], {}, 'x.csv')).toThrow(
      'x.csv:1: columns "customer_id" and "客户号" both map to customer_id; remove or rename one of them',
    );
  });
});

describe('dateFromName', () => {
  it('takes the first real YYYY-MM-DD or YYYYMMDD', () => {
    expect(dateFromName('2025-01-31.csv')).toBe('2025-01-31');
    expect(dateFromName('book_20250131.csv.gz')).toBe('2025-01-31');
    expect(dateFromName('2025-02-30_then_2025-03-01.csv')).toBe('2025-03-01');
    expect(dateFromName('20240229.parquet')).toBe('2024-02-29');
    expect(dateFromName('20230229.parquet')).toBeNull();
    expect(dateFromName('id120250131.csv')).toBeNull();
    expect(dateFromName('export_202501311200.csv')).toBe('2025-01-31');
    expect(dateFromName('snapshot.csv')).toBeNull();
  });
});

describe('discoverSnapshots', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tierscope-discover-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists snapshot files sorted, skipping hidden, "_", README files and folders', async () => {
    const d = join(dir, 'ok');
    await mkdir(join(d, 'sub'), { recursive: true });
    for (const n of ['b_20250228.csv.gz', 'a_2025-01-31.csv', 'c.parquet', '.DS_Store', '_notes.txt', 'README.md', 'readme.txt', 'tierscope.config.json'])
      await writeFile(join(d, n), '');
    expect(await discoverSnapshots(d)).toEqual([
      { path: join(d, 'a_2025-01-31.csv'), name: 'a_2025-01-31.csv', format: 'csv', dateFromName: '2025-01-31' },
      { path: join(d, 'b_20250228.csv.gz'), name: 'b_20250228.csv.gz', format: 'csv.gz', dateFromName: '2025-02-28' },
      { path: join(d, 'c.parquet'), name: 'c.parquet', format: 'parquet', dateFromName: null },
    ]);
  });

  it('fails on any other file, on an empty folder and on a missing folder', async () => {
    const d = join(dir, 'bad');
    await mkdir(d, { recursive: true });
    await expect(discoverSnapshots(d)).rejects.toThrow(`${d}: no snapshot files in this folder; expected .csv, .csv.gz or .parquet`);
    await writeFile(join(d, '2025-01-31.csv'), '');
    await writeFile(join(d, '2025-02-28.xlsx'), '');
    await expect(discoverSnapshots(d)).rejects.toThrow(`${join(d, '2025-02-28.xlsx')}: not a snapshot file; expected .csv, .csv.gz or .parquet`);
    await expect(discoverSnapshots(join(dir, 'nope'))).rejects.toThrow(`${join(dir, 'nope')}: cannot read the snapshot folder: no such folder`);
  });
});
