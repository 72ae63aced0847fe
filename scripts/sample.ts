// `npm run sample`: writes the deterministic synthetic bank of src/lib/sampleBank.ts
// as snapshot CSVs, so a fresh clone has data to build the site from.
//
//   npm run sample -- [--out DIR] [--customers N] [--snapshots K] [--branches B] [--seed S] [--start YYYY-MM-DD]
import { closeSync, openSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { OutputError, OutputRefused, stageFolder, type StagedFolder } from '../src/engine/outputDir.ts';
import {
  DEFAULT_BRANCHES,
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
  --out DIR          output folder (default data/sample), written to a temporary folder
                     and swapped in when complete: absent, empty, or a previous sample
                     (its .tierscope-output.json marker); anything else is refused with
                     exit code 2
  --customers N      customers in the first snapshot (default 200000)
  --snapshots K      month-end snapshots (default 12)
  --branches B       branches, B001 … (default 40, 40 to 65535); four of them are tiny
  --start DATE       first snapshot, a month end (default ${DEFAULT_START})
  --seed S           PRNG seed, an integer (default ${DEFAULT_SEED})`;

/**
 * A sample folder from before the marker: the build's .complete stamp beside
 * snapshot_<date>.csv files and nothing else. Snapshot names alone do not make a
 * folder the sample's: an analyst's real exports may be named the same.
 */
const SAMPLE_ENTRY = /^(snapshot_\d{4}-\d{2}-\d{2}\.csv|\.snapshot_\d{4}-\d{2}-\d{2}\.csv\.tmp|\.complete)$/;
const previousSample = (names: string[]) => names.includes('.complete') && names.every((n) => SAMPLE_ENTRY.test(n));

/** A refused folder exits 2, an unwritable one 3, each with its one-line message. */
function outputFailed(e: unknown): never {
  if (!(e instanceof OutputRefused) && !(e instanceof OutputError)) throw e;
  console.error(e.message);
  process.exit(e instanceof OutputRefused ? 2 : 3);
}

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
        branches: { type: 'string' },
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
  const outArg = values.out ?? 'data/sample';
  const out = resolve(outArg);
  const customers = intOption('customers', values.customers, 200_000, 1);
  const snapshots = intOption('snapshots', values.snapshots, 12, 1);
  const branches = intOption('branches', values.branches, DEFAULT_BRANCHES, DEFAULT_BRANCHES);
  const seed = intOption('seed', values.seed, DEFAULT_SEED, 0);
  let dates: string[];
  try {
    dates = monthEnds(values.start ?? DEFAULT_START, snapshots);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }

  // The whole folder is replaced (src/engine/outputDir.ts): no stale snapshot of an earlier
  // run with other dates joins the next pipeline run, and a killed run leaves the old one.
  let staged: StagedFolder;
  try {
    staged = await stageFolder(outArg, { previous: previousSample });
  } catch (e) {
    outputFailed(e);
  }

  const t0 = performance.now();
  let bytes = 0;
  let rows = 0;
  let last: { n: number[]; aum: number[] } | undefined;
  try {
    for (const snap of generateSampleBank({ customers, seed, dates, branches })) {
      const t1 = performance.now();
      const name = `snapshot_${snap.date}.csv`;
      const fd = openSync(join(staged.dir, name), 'w');
      let fileBytes = 0;
      try {
        for (const chunk of snap.csvChunks()) fileBytes += writeAll(fd, chunk);
      } finally {
        closeSync(fd);
      }
      bytes += fileBytes;
      rows += snap.rows;
      const flow = snap.index === 0 ? '' : `  +${snap.newCustomers} new  −${snap.lostCustomers} lost  ${snap.transfers} transfers`;
      console.error(
        `${name}  ${snap.rows.toLocaleString('en')} rows${flow}  ${(fileBytes / 1e6).toFixed(1)} MB  ${((performance.now() - t1) / 1000).toFixed(2)} s`,
      );
      if (snap.index === dates.length - 1) last = snap.tierTotals();
    }
  } catch (e) {
    await staged.abort();
    console.error(`sample generation failed: ${(e as Error).message}`);
    process.exit(1);
  }
  try {
    await staged.commit();
  } catch (e) {
    await staged.abort();
    outputFailed(e);
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
