import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAmounts, type AmountFetch } from '../src/engine/aggregate.ts';

// 11 customers in three branches, amounts in fen; rows 3 and 7 (0-based) are deleted
// afterwards, which leaves gaps in the rowids that slicing must step over.
const rows: [string, number, number][] = [
  ['B', 500, 10],
  ['A', 100, 0],
  ['C', 900, 900],
  ['A', 7, 7], // deleted
  ['B', 300, 30],
  ['A', 100, 50],
  ['C', 1, 2],
  ['B', 8, 8], // deleted
  ['A', 2_000_000_000_000, 1],
  ['B', 0, 0],
  ['C', 40, 400],
];
const deleted = new Set([3, 7]);

describe('readAmounts', () => {
  let instance: DuckDBInstance;
  let conn: Awaited<ReturnType<DuckDBInstance['connect']>>;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    await conn.run('CREATE TABLE s (customer_id VARCHAR, branch VARCHAR, aum BIGINT, deposits BIGINT)');
    await conn.run(`INSERT INTO s VALUES ${rows.map(([b, a, d], i) => `('c${i}', '${b}', ${a}, ${d})`).join(', ')}`);
    await conn.run(`DELETE FROM s WHERE customer_id IN (${[...deleted].map((i) => `'c${i}'`).join(', ')})`);
  });
  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
  });

  /** Per branch code, its (aum, deposits) pairs in a canonical order. */
  const byBranch = (codes: string[], bid: ArrayLike<number>, aum: ArrayLike<number>, deposits: ArrayLike<number>) => {
    const out: Record<string, string[]> = {};
    for (let i = 0; i < bid.length; i++) (out[codes[bid[i]!]!] ??= []).push(`${aum[i]}/${deposits[i]}`);
    for (const k of Object.keys(out)) out[k]!.sort();
    return out;
  };
  const expected: Record<string, string[]> = {};
  rows.forEach(([b, a, d], i) => deleted.has(i) || (expected[b] ??= []).push(`${a}/${d}`));
  for (const k of Object.keys(expected)) expected[k]!.sort();

  // Slices of 1, 2, 3 and 4 rows cut the 11 rowids at every offset; 1 << 22 is one slice;
  // materialiseUpTo 0 streams the rows instead.
  const fetches: [string, AmountFetch][] = [
    ...[1, 2, 3, 4, 1 << 22].map((sliceRows): [string, AmountFetch] => [`in slices of ${sliceRows}`, { sliceRows, materialiseUpTo: 100 }]),
    ['streamed', { sliceRows: 2, materialiseUpTo: 0 }],
  ];
  for (const [how, fetch] of fetches) {
    it(`returns every remaining row once, with its own branch, ${how}`, async () => {
      const raw = await readAmounts(conn, 's', fetch);
      expect(raw.codes).toEqual(['A', 'B', 'C']);
      expect(raw.bid.length).toBe(9);
      expect(byBranch(raw.codes, raw.bid, raw.aum, raw.deposits)).toEqual(expected);
    });
  }

  it('returns empty arrays for an empty table', async () => {
    await conn.run('CREATE TABLE empty (customer_id VARCHAR, branch VARCHAR, aum BIGINT, deposits BIGINT)');
    for (const fetch of fetches.map(([, f]) => f)) {
      const raw = await readAmounts(conn, 'empty', fetch);
      expect(raw.codes).toEqual([]);
      expect([raw.bid.length, raw.aum.length, raw.deposits.length]).toEqual([0, 0, 0]);
    }
  });
});
