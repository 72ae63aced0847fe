// `npm run sample`: writes the deterministic synthetic bank of src/lib/sampleBank.ts
// as snapshot CSVs, so a fresh clone has data to build the site from.
//
//   npm run sample -- [--out DIR] [--customers N] [--snapshots K] [--seed S] [--start YYYY-MM-DD]
import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkOutputFolder, OutputRefused } from '../src/engine/outputDir.ts';
import {
  DEFAULT_SEED,
  DEFAULT_START,
  DEFAULT_TIER_KEYS,
  generateSampleBank,
  monthEnds,
} from '../src/lib/sampleBank.ts';

/** writeSync may write less than asked; loop until the chunk is out. */
function writeAll(fd: number, chunk: Uint8Array): number {
  let off = 0;
  while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
  return off;
}

const USAGE = `usage: npm run sample -- [options]
  --out DIR          output folder (default data/sample): absent, empty, or one this
                     command wrote (snapshot_<date>.csv files only); anything else is
                     refused with exit code 2
  --customers N      customers in the first snapshot (default 200000)
  --snapshots K      month-end snapshots (default 12)
  --start DATE       first snapshot, a month end (default ${DEFAULT_START})
  --seed S           PRNG seed, an integer (default ${DEFAULT_SEED})`;

/** What this command (and the build, its .complete stamp) writes into its folder. */
const SAMPLE_ENTRY = /^(snapshot_\d{4}-\d{2}-\d{2}\.csv|\.snapshot_\d{4}-\d{2}-\d{2}\.csv\.tmp|\.complete)$/;

function intOption(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) {
    console.error(`--${name} must be an integer ≥ ${min}, got "${raw}"\n${USAGE}`);
    process.exit(2);
  }
  return v;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        out: { type: 'string' },
        customers: { type: 'string' },
        snapshots: { type: 'string' },
        start: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const out = resolve(values.out ?? 'data/sample');
  // Stale snapshots are removed and same-named ones overwritten below: only in a folder of the sample's own.
  try {
    await checkOutputFolder(values.out ?? 'data/sample', { owns: (n) => SAMPLE_ENTRY.test(n) });
  } catch (e) {
    if (!(e instanceof OutputRefused)) throw e;
    console.error(e.message);
    process.exit(2);
  }
  const customers = intOption('customers', values.customers, 200_000, 1);
  const snapshots = intOption('snapshots', values.snapshots, 12, 1);
  const seed = intOption('seed', values.seed, DEFAULT_SEED, 0);
  let dates: string[];
  try {
    dates = monthEnds(values.start ?? DEFAULT_START, snapshots);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }

  mkdirSync(out, { recursive: true });
  // Stale snapshots from an earlier run with other dates would silently join the next pipeline run.
  const keep = new Set(dates.map((d) => `snapshot_${d}.csv`));
  for (const f of readdirSync(out)) if (/^snapshot_.*\.csv$/.test(f) && !keep.has(f)) rmSync(join(out, f));

  const t0 = performance.now();
  let bytes = 0;
  let rows = 0;
  let last: { n: number[]; aum: number[] } | undefined;
  try {
    for (const snap of generateSampleBank({ customers, seed, dates })) {
      const t1 = performance.now();
      const name = `snapshot_${snap.date}.csv`;
      // Write beside the target and rename, so an interrupted run never leaves a truncated snapshot.
      const tmp = join(out, `.${name}.tmp`);
      const fd = openSync(tmp, 'w');
      let fileBytes = 0;
      try {
        for (const chunk of snap.csvChunks()) fileBytes += writeAll(fd, chunk);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, join(out, name));
      bytes += fileBytes;
      rows += snap.rows;
      const flow = snap.index === 0 ? '' : `  +${snap.newCustomers} new  −${snap.lostCustomers} lost  ${snap.transfers} transfers`;
      console.error(
        `${name}  ${snap.rows.toLocaleString('en')} rows${flow}  ${(fileBytes / 1e6).toFixed(1)} MB  ${((performance.now() - t1) / 1000).toFixed(2)} s`,
      );
      if (snap.index === dates.length - 1) last = snap.tierTotals();
    }
  } catch (e) {
    console.error(`sample generation failed: ${(e as Error).message}`);
    process.exit(1);
  }

  const secs = (performance.now() - t0) / 1000;
  console.error(
    `wrote ${dates.length} snapshots (${dates[0]} … ${dates[dates.length - 1]}), ${rows.toLocaleString('en')} rows, ${(bytes / 1e6).toFixed(1)} MB to ${out} in ${secs.toFixed(2)} s (seed ${seed})`,
  );
  const totals = last;
  if (totals) {
    const n = totals.n.reduce((a, b) => a + b, 0);
    const aum = totals.aum.reduce((a, b) => a + b, 0);
    const parts = DEFAULT_TIER_KEYS.map(
      (k, t) => `${k} ${((100 * totals.n[t]!) / n).toFixed(2)}% / ${((100 * totals.aum[t]!) / aum).toFixed(2)}%`,
    );
    console.error(`last snapshot, customers / aum by tier: ${parts.join(', ')}`);
  }
}

await main();
