// A file large enough for DuckDB to scan it in parallel pieces (~45 MB): row
// order, duplicate resolution and physical line numbers must still match a
// straightforward account kept while writing the file.
import { DuckDBInstance } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseConfig } from '../src/lib/config.ts';
import { loadSnapshot, REJECT_REASONS, type RejectExample, type RejectReason } from '../src/engine/load.ts';

const ROWS = 1_100_000;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierscope-midsize-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('keeps file order and exact lines in a file DuckDB reads in parallel', async () => {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const path = join(dir, '2025-01-31.csv');
  const fh = await open(path, 'w');
  let out = 'customer_id,branch,aum,deposits,open_date\r\n';
  let line = 2;
  const kept: string[] = [];
  const counts = new Map<RejectReason, number>();
  const examples: RejectExample[] = [];
  const reject = (reason: RejectReason, column: string | null, value: string | null) => {
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
    if (examples.filter((e) => e.reason === reason).length < 5) examples.push({ reason, line, column, value });
  };
  for (let i = 0; i < ROWS; i++) {
    const id = `C${(i * 7919) % 10_000_019}`;
    const r = rnd();
    // Rare defects, spread over the whole file; a few quoted line breaks and blank lines move lines away from record numbers.
    let rec: string;
    if (r < 0.00002) {
      rec = `${id},B1,12x,1,`;
      reject('invalid_aum', 'aum', '12x');
    } else if (r < 0.00004) {
      rec = `${id},B1,1`;
      reject('wrong_field_count', null, '3 fields, expected 5');
    } else if (r < 0.00006 && kept.length > 0) {
      rec = `${kept[Math.floor(rnd() * kept.length)]},B9,1,1,`;
      reject('duplicate_customer_id', 'customer_id', null);
    } else if (r < 0.00008) {
      rec = `${id},,1,1,`;
      reject('missing_branch', 'branch', '');
    } else {
      const branch = r < 0.01 ? `"B\r\n${Math.floor(r * 1000)}"` : `B${Math.floor(r * 100)}`;
      rec = `${id},${branch},${(r * 1e6).toFixed(2)},${(r * 1e3).toFixed(2)},2020-01-${String(1 + (i % 28)).padStart(2, '0')}`;
      kept.push(id);
    }
    out += rec + '\r\n';
    line += 1 + (rec.includes('\n') ? 1 : 0);
    if (r > 0.9995) {
      out += '\r\n';
      line++;
    }
    if (out.length > 1 << 20) {
      await fh.write(out);
      out = '';
    }
  }
  await fh.write(out);
  await fh.close();

  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const report = await loadSnapshot(conn, { path, name: '2025-01-31.csv', format: 'csv', dateFromName: '2025-01-31' }, parseConfig({}), 'm', {
      tmpDir: join(dir, 'tmp'),
    });
    expect(report.rowsRead).toBe(ROWS);
    expect(report.rowsUsed).toBe(kept.length);
    expect(report.rejected).toEqual(Object.fromEntries([...counts].sort((a, b) => order(a[0]) - order(b[0]))));
    expect(report.examples).toEqual([...examples].sort((a, b) => order(a.reason) - order(b.reason) || a.line - b.line));
    const digest = (await conn.runAndReadAll(`SELECT md5(string_agg(customer_id, ',' ORDER BY rowid)) AS h FROM m`)).getRowObjectsJS()[0]!.h;
    expect(digest).toBe(createHash('md5').update(kept.join(',')).digest('hex'));
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
});

const order = (r: string) => (REJECT_REASONS as readonly string[]).indexOf(r);
