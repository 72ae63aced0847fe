// A small deterministic report for chart and page tests: the synthetic bank
// (150 000 customers, 4 month ends, 40 branches — many of them small enough to
// trigger suppression) run through the real pipeline once per test file.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateSampleBank, monthEnds } from '../../src/lib/sampleBank.ts';
import { reportAt, type Report } from '../../src/site/data.ts';
import { runInProcess, tempDir } from './pipeline.ts';

let pending: Promise<{ dir: string; report: Report }> | null = null;

export function fixtureReport(): Promise<{ dir: string; report: Report }> {
  pending ??= (async () => {
    const root = await tempDir('ts-report-');
    const input = path.join(root, 'in');
    const out = path.join(root, 'out');
    await mkdir(input, { recursive: true });
    for (const snap of generateSampleBank({ customers: 150_000, dates: monthEnds('2024-12-31', 4) })) {
      await writeFile(path.join(input, `snapshot_${snap.date}.csv`), Buffer.concat([...snap.csvChunks()]));
    }
    await runInProcess(input, out);
    return { dir: out, report: reportAt(out) };
  })();
  return pending;
}
