// Branches that vanish from one snapshot or appear in the next (issue 14, item 6).
// The id match compares each snapshot with the one before it, so a branch left
// out of one middle export (a third of the book here) passes it: the middle
// snapshot's customers were all there before, and two thirds of the last one's
// were in the middle. The branch check must name the branch and the dates.
import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { branchChanges, branchChangeWarning } from '../src/lib/assemble/quality.ts';
import { branchChangeRow } from '../src/site/methodology.ts';
import { readJson, runCli, runInProcess, tempDir, writeSnapshots, type Row } from './helpers/pipeline.ts';

const customers = (prefix: string, branch: string, n: number): Row[] =>
  Array.from({ length: n }, (_, i) => [`${prefix}${i + 1}`, branch, 1000 * (i + 1), 500 * (i + 1)]);

// A: 24 customers throughout. B: 12 (a third of the 36 of A and B), missing from
// the middle snapshot. C: 9 customers (below minCell 10), missing from the middle too.
const A = customers('a', 'A', 24);
const B = customers('b', 'B', 12);
const C = customers('c', 'C', 9);
const FILES = {
  'bank_2025-01-31.csv': [...A, ...B, ...C],
  'bank_2025-02-28.csv': [...A],
  'bank_2025-03-31.csv': [...A, ...B, ...C],
};

const VANISHED =
  'branch "B" vanished between 2025-01-31 and 2025-02-28: 10 or more customers on 2025-01-31, none on 2025-02-28; if the 2025-02-28 export left it out, its customers count as lost (and as new when it returns)';
const APPEARED =
  'branch "B" appeared between 2025-02-28 and 2025-03-31: no customers on 2025-02-28, 10 or more on 2025-03-31; unless it is a new branch, the 2025-02-28 export left it out and its customers count as new';

describe('a branch missing from the middle snapshot', () => {
  let dir: string;
  let quality: any;
  beforeAll(async () => {
    dir = await tempDir();
    await writeSnapshots(path.join(dir, 'in'), FILES);
    await runInProcess(path.join(dir, 'in'), path.join(dir, 'out'));
    quality = await readJson(path.join(dir, 'out'), 'quality.json');
  });

  it('passes the id match, which looks only one snapshot back', () => {
    expect(quality.idMatch.map((m: any) => [m.start, m.end, m.matched, m.endCustomers, m.warning])).toEqual([
      ['2025-01-31', '2025-02-28', 24, 24, false],
      ['2025-02-28', '2025-03-31', 24, 45, false], // 53 % ≥ minIdMatchShare 0.5
    ]);
  });

  it('is listed as vanished, then appeared, naming the branch and the dates; C (9 customers, below minCell) is not', () => {
    expect(quality.branchChanges).toEqual([
      { branch: 'B', change: 'vanished', start: '2025-01-31', end: '2025-02-28' },
      { branch: 'B', change: 'appeared', start: '2025-02-28', end: '2025-03-31' },
    ]);
    expect(quality.warnings).toEqual([VANISHED, APPEARED]);
  });

  it('is printed as a warning by the CLI', () => {
    const r = runCli(['--data', path.join(dir, 'in'), '--out', path.join(dir, 'cli-out'), '--no-cache']);
    expect(r.status, r.stderr).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    expect(warnings).toEqual([`warning: ${VANISHED}`, `warning: ${APPEARED}`]);
  });
});

describe('branchChanges', () => {
  const snap = (date: string, counts: Record<string, number>) => ({
    date,
    // Split each branch over two bands, as the cells are.
    cells: Object.entries(counts).flatMap(([branch, n]) => [
      { branch, n: Math.floor(n / 2) },
      { branch, n: n - Math.floor(n / 2) },
    ]),
  });

  it('flags minCell or more against none, in both directions, and nothing else', () => {
    const snaps = [
      snap('2025-01-31', { A: 100, EXACT: 10, BELOW: 9, SHRINKS: 50 }),
      snap('2025-02-28', { A: 100, SHRINKS: 1, NEW: 10, NEWSMALL: 9 }),
    ];
    expect(branchChanges(snaps, 10)).toEqual([
      { branch: 'EXACT', change: 'vanished', start: '2025-01-31', end: '2025-02-28' },
      { branch: 'NEW', change: 'appeared', start: '2025-01-31', end: '2025-02-28' },
    ]);
    // The bound is privacy.minCell's, whatever it is.
    expect(branchChanges(snaps, 9).map((c) => `${c.branch} ${c.change}`)).toEqual(['BELOW vanished', 'EXACT vanished', 'NEW appeared', 'NEWSMALL appeared']);
  });

  it('compares adjacent snapshots in date order, never further apart', () => {
    const snaps = [snap('2025-03-31', { A: 30, B: 12 }), snap('2025-01-31', { A: 30, B: 12 }), snap('2025-02-28', { A: 30 })];
    expect(branchChanges(snaps, 10).map((c) => `${c.branch} ${c.change} ${c.start} ${c.end}`)).toEqual([
      'B vanished 2025-01-31 2025-02-28',
      'B appeared 2025-02-28 2025-03-31',
    ]);
    expect(branchChanges([snap('2025-01-31', { A: 30 })], 10)).toEqual([]);
  });

  it('prints a hostile branch code escaped', () => {
    const w = branchChangeWarning({ branch: 'B\u202e\u001b[31m', change: 'vanished', start: '2025-01-31', end: '2025-02-28' }, 10);
    expect(w).toContain('branch "B\\u202e\\u001b[31m" vanished');
    expect(w).not.toMatch(/[\u202e\u001b]/);
  });

  it('is explained on the data-quality page in both languages', () => {
    const v = { branch: 'B', change: 'vanished', start: '2025-01-31', end: '2025-02-28' } as const;
    const a = { ...v, change: 'appeared', start: '2025-02-28', end: '2025-03-31' } as const;
    expect(branchChangeRow(v, 10, 'en')).toEqual({
      change: 'Vanished',
      text: '10 or more customers on 31 Jan 2025, none on 28 Feb 2025. If the 28 Feb 2025 export left the branch out, its customers count as lost, and as new when it returns.',
    });
    expect(branchChangeRow(a, 10, 'en')).toEqual({
      change: 'Appeared',
      text: 'No customers on 28 Feb 2025, 10 or more on 31 Mar 2025. Unless the branch is new, the 28 Feb 2025 export left it out and its customers count as new.',
    });
    expect(branchChangeRow(v, 10, 'zh')).toEqual({
      change: '消失',
      text: '2025年1月31日有10户及以上客户，2025年2月28日一户也没有。若2025年2月28日的导出文件漏掉了该网点，其客户会先计为流失，重新出现时再计为新增。',
    });
    expect(branchChangeRow(a, 10, 'zh').change).toBe('出现');
  });
});
