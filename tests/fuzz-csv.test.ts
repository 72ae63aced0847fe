// Property tests of the CSV reading path (loadSnapshot, the in-process entry
// point the pipeline calls per file). Whatever the bytes, the load either ends
// in an InputError naming the file (and a line inside it, when it names one)
// or in a report where rows read = used + rejected and the table holds exactly
// the used rows. Valid files written from random records must load exactly.
// Inputs that found bugs live in tests/fixtures/fuzz-corpus/ and are replayed.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { isUtf8 } from 'node:buffer';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../src/lib/config.ts';
import { dateFromName, formatOf } from '../src/engine/discover.ts';
import { InputError } from '../src/engine/errors.ts';
import { loadSnapshot, REJECT_REASONS, type FileReport } from '../src/engine/load.ts';
import { utf8Stretch } from '../src/engine/textChecks.ts';

let instance: DuckDBInstance;
let conn: DuckDBConnection;
let dir: string;
let tmp: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierscope-fuzz-csv-'));
  tmp = join(dir, 'tmp');
  instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  conn = await instance.connect();
});
afterAll(async () => {
  conn.closeSync();
  instance.closeSync();
  await rm(dir, { recursive: true, force: true });
});

const HEADER = 'customer_id,branch,aum,deposits';
/** FUZZ_RUNS=20 multiplies every run count, for a longer search than the suite's. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
/** Lets every file load whatever share of its rows is rejected, so the counts can be checked. */
const LENIENT: Config = { ...parseConfig({}), maxRejectShare: 1 }; // past the schema, which takes shares below 1

type Outcome = { kind: 'ok'; report: FileReport; rows: { customer_id: string; branch: string; aum: bigint }[] } | { kind: 'error'; error: InputError };

let seq = 0;
async function loadBytes(bytes: Uint8Array, config: Config = LENIENT, name = '2025-01-31.csv'): Promise<Outcome & { path: string }> {
  const path = join(dir, `${++seq}_${name}`);
  await writeFile(path, bytes);
  const file = { path, name, format: formatOf(name)!, dateFromName: dateFromName(name) };
  try {
    const report = await loadSnapshot(conn, file, config, 't', { tmpDir: tmp });
    const rows = (await conn.runAndReadAll('SELECT customer_id, branch, aum FROM t ORDER BY rowid')).getRowObjects() as never;
    return { kind: 'ok', report, rows, path };
  } catch (e) {
    // Anything but an InputError is a crash: it fails the property with its stack.
    if (!(e instanceof InputError)) throw e;
    return { kind: 'error', error: e, path };
  } finally {
    await rm(path, { force: true });
  }
}

/** Lines as an editor counts them: LF, CRLF and a lone CR each end one. */
function physicalLines(bytes: Uint8Array): number {
  let lines = 1;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a || (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a)) lines++;
  return lines;
}

/** The invariants every outcome must meet. */
function checkOutcome(o: Outcome & { path: string }, bytes: Uint8Array): void {
  const lines = physicalLines(bytes);
  if (o.kind === 'error') {
    expect(o.error.file).toBe(o.path);
    expect(o.error.message.startsWith(o.path)).toBe(true);
    expect(o.error.stack ?? '').not.toContain('TypeError');
    if (o.error.line !== undefined) {
      expect(Number.isInteger(o.error.line)).toBe(true);
      expect(o.error.line).toBeGreaterThanOrEqual(1);
      expect(o.error.line).toBeLessThanOrEqual(lines);
    }
    return;
  }
  const { report, rows } = o;
  const rejected = Object.values(report.rejected).reduce((a, b) => a + b, 0);
  expect(report.rowsRead).toBe(report.rowsUsed + rejected);
  expect(rows).toHaveLength(report.rowsUsed);
  for (const r of Object.keys(report.rejected)) expect(REJECT_REASONS).toContain(r);
  for (const e of report.examples) {
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.line).toBeLessThanOrEqual(lines);
  }
  for (const r of rows) {
    expect(r.customer_id).not.toBe('');
    expect(r.branch).not.toBe('');
    expect(r.aum >= 0n).toBe(true);
  }
  expect(new Set(rows.map((r) => r.customer_id)).size).toBe(rows.length);
}

// ---------------------------------------------------------------------------
// Valid files from random records load exactly.

/** Field text: anything printable a bank might export, including the CSV's own quotes, delimiters and line breaks. */
const text = fc
  .string({
    unit: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...'ABCxyz019 -_./') },
      { weight: 2, arbitrary: fc.constantFrom(',', '"', '\n', '\r\n', '\t', '|', ';', "'") },
      { weight: 2, arbitrary: fc.constantFrom('城', '东', '支', '行', '€', 'é', '𠮷', '\uFEFF', '中') },
    ),
    minLength: 1,
    maxLength: 12,
  })
  .map((s) => s.trim())
  .filter((s) => s !== '' && !/^[\r\n]|[\r\n]$/.test(s));

const record = fc.record({ id: text, branch: text, aum: fc.bigInt({ min: 0n, max: 10n ** 13n }), quoteAll: fc.boolean() });

function field(s: string, force: boolean): string {
  return force || /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

describe('valid CSVs written from random records', () => {
  it('load every record with its id, branch and amount, in any line ending and encoding', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 12 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.constantFrom<'utf-8' | 'gb18030' | 'gzip'>('utf-8', 'gb18030', 'gzip'),
        async (recs, eol, bom, form) => {
          const rows = recs.map((r, i) => ({ id: `${i}:${r.id}`, branch: r.branch, aum: r.aum }));
          const body =
            [HEADER, ...rows.map((r, i) => [field(r.id, recs[i]!.quoteAll), field(r.branch, recs[i]!.quoteAll), `${r.aum / 100n}.${String(r.aum % 100n).padStart(2, '0')}`, '0'].join(','))].join(
              eol,
            ) + eol;
          const withBom = (bom && form !== 'gb18030' ? '\uFEFF' : '') + body;
          const bytes = form === 'gb18030' ? iconv.encode(withBom, 'gb18030') : Buffer.from(withBom);
          const stored = form === 'gzip' ? gzipSync(bytes) : bytes;
          const name = form === 'gzip' ? '2025-01-31.csv.gz' : '2025-01-31.csv';
          let o = await loadBytes(stored, LENIENT, name);
          // 'auto' may decline to guess from a few characters that read as either encoding; told, it must load.
          if (o.kind === 'error' && o.error.detail.startsWith('cannot tell the encoding'))
            o = await loadBytes(stored, { ...parseConfig({ csv: { encoding: form === 'gb18030' ? 'gb18030' : 'utf-8' } }), maxRejectShare: 1 }, name);
          if (o.kind === 'error') throw new Error(`valid file refused: ${o.error.message}\n${JSON.stringify(body)}`);
          checkOutcome(o, bytes);
          expect(o.report.rejected).toEqual({});
          expect(o.rows.map((r) => [r.customer_id, r.branch, r.aum])).toEqual(rows.map((r) => [r.id, r.branch, r.aum]));
        },
      ),
      { numRuns: 60 * RUNS },
    );
  });
});

// ---------------------------------------------------------------------------
// Damaged files: structured mutations of a valid one, and arbitrary bytes.

const VALID = Buffer.from([HEADER, 'C1,B1,100,10', 'C2,"B,2",2000.50,10', 'C3,城东,"1,234",5', 'C4,B1,,1', 'C5,B2,7,x', 'C1,B3,9,9'].join('\n') + '\n');

const piece = fc.oneof(
  fc.constantFrom(
    '"',
    '""',
    ',',
    '\n',
    '\r',
    '\r\n',
    '\0',
    '\uFEFF',
    HEADER,
    '\n\n\n',
    ' ',
    '-1',
    '1e3',
    '2025-01-31',
    'customer_id',
  ).map((s) => Buffer.from(s)),
  fc.constantFrom([0xb3, 0xc7], [0xb6, 0xab], [0x81, 0x30, 0x81, 0x30], [0xff], [0xe4, 0xb8], [0xc0, 0x80]).map((b) => Buffer.from(b)),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => Buffer.from(b)),
);

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), piece }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), piece }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(base: Buffer, ms: Mutation[]): Buffer {
  let b = base;
  for (const m of ms) {
    const at = b.length ? m.at % (b.length + 1) : 0;
    if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), m.piece, b.subarray(at)]);
    else if (m.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
    else b = Buffer.concat([b.subarray(0, at), m.piece, b.subarray(at + m.piece.length)]);
  }
  return b;
}

describe('damaged CSVs', () => {
  it('end in an InputError naming the file, or in counts that add up', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 6 }), fc.boolean(), async (ms, gz) => {
        const bytes = mutate(VALID, ms);
        const o = await loadBytes(gz ? gzipSync(bytes) : bytes, LENIENT, gz ? '2025-01-31.csv.gz' : '2025-01-31.csv');
        checkOutcome(o, bytes);
      }),
      { numRuns: 150 * RUNS },
    );
  });

  it('survive arbitrary bytes after a valid header', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (tail) => {
        const bytes = Buffer.concat([Buffer.from(`${HEADER}\n`), tail]);
        checkOutcome(await loadBytes(bytes), bytes);
      }),
      { numRuns: 60 * RUNS },
    );
  });

  it('survive a field of a few MB, quoted or not', async () => {
    for (const quoted of [false, true]) {
      const big = 'y'.repeat(3 << 20);
      const bytes = Buffer.from([HEADER, 'C1,B1,1,1', `C2,${quoted ? `"${big}"` : big},1,1`, 'C3,B1,1,1'].join('\n') + '\n');
      const o = await loadBytes(bytes);
      checkOutcome(o, bytes);
      expect(o.kind).toBe('error');
    }
  });
});

// ---------------------------------------------------------------------------
// The byte scan behind the mixed-encoding check, against a plain reading of its contract.

/** Line by line with Buffer's own UTF-8 check: where the first run of valid lines reaches `min` multi-byte characters. */
function utf8StretchReference(b: Buffer, min: number): number {
  let runStart = -1;
  let chars = 0;
  let start = 0;
  for (let i = 0; i <= b.length; i++) {
    if (i < b.length && b[i] !== 0x0a && b[i] !== 0x0d) continue;
    const line = b.subarray(start, i);
    if (!isUtf8(line)) (runStart = -1), (chars = 0);
    else {
      const n = line.filter((x) => x >= 0xc0).length;
      if (n > 0 && runStart === -1) runStart = start;
      chars += n;
    }
    if (chars >= min) return runStart;
    start = i + 1;
  }
  return -1;
}

describe('utf8Stretch', () => {
  it('agrees with a line-by-line reading', () => {
    const unit = fc.oneof(
      fc.constantFrom('A', ',', '1', '\n', '\r', '\r\n', '城', 'é', '𠮷').map((s) => Buffer.from(s)),
      fc.constantFrom('城东', '支', '中', '行').map((s) => iconv.encode(s, 'gb18030')),
      fc.uint8Array({ minLength: 1, maxLength: 3 }).map((b) => Buffer.from(b)),
    );
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 60 }), fc.integer({ min: 1, max: 6 }), (units, min) => {
        const b = Buffer.concat(units);
        expect(utf8Stretch(b, min)).toBe(utf8StretchReference(b, min));
      }),
      { numRuns: 500 * RUNS },
    );
  });
});

// ---------------------------------------------------------------------------

const CORPUS = join(import.meta.dirname, 'fixtures', 'fuzz-corpus');

describe('fuzz corpus', async () => {
  const names = (await readdir(CORPUS)).filter((n) => /\.csv(\.gz)?$/.test(n)).sort();
  it('holds the inputs that found bugs', () => {
    expect(names.length).toBeGreaterThan(0);
  });
  // <case>.csv (or .csv.gz) and <case>.expect.json: either {"error": regexp of the message's detail} or the
  // report's counts ({rowsRead, rowsUsed, rejected} and, when given, rowsSkipped and warned) and perhaps the
  // loaded [id, branch, aum fen] rows; "name" loads the bytes under that file name (2025-01-31.csv otherwise).
  for (const name of names)
    it(`replays ${name}`, async () => {
      const bytes = await readFile(join(CORPUS, name));
      const expected = JSON.parse(await readFile(join(CORPUS, name.replace(/\.csv(\.gz)?$/, '.expect.json')), 'utf8')) as { name?: string } & (
        | { error: string }
        | { rowsRead: number; rowsUsed: number; rejected: Record<string, number>; rowsSkipped?: number; warned?: Record<string, number>; rows?: [string, string, string][] }
      );
      const { name: fileName, ...expect_ } = expected;
      const o = await loadBytes(bytes, LENIENT, fileName ?? (name.endsWith('.gz') ? '2025-01-31.csv.gz' : '2025-01-31.csv'));
      checkOutcome(o, name.endsWith('.gz') ? gunzipSync(bytes) : bytes);
      if ('error' in expect_) {
        expect(o.kind).toBe('error');
        if (o.kind === 'error') expect(o.error.detail).toMatch(new RegExp(expect_.error));
      } else {
        expect(o.kind).toBe('ok');
        if (o.kind === 'ok') {
          const { rows, ...counts } = expect_;
          const got = Object.fromEntries(Object.keys(counts).map((k) => [k, o.report[k as keyof FileReport]]));
          expect(got).toEqual(counts);
          if (rows) expect(o.rows.map((r) => [r.customer_id, r.branch, String(r.aum)])).toEqual(rows);
        }
      }
    });
});
