// `npm run bench`: the Tierscope pipeline measured against a bare DuckDB pass over
// the same snapshots. Every measured run is a fresh child process, timed whole,
// with whole-process peak RSS (DuckDB's memory is native, so the V8 heap alone
// would under-report). Three scales:
//   pair  (default) 2 snapshots × 4.74 M customers, CSV and Parquet — scripts/bench/pair.ts
//   year  12 month-end snapshots + 1 added, cold / warm-cache / incremental runs and
//         the site build — scripts/bench/year.ts
//   100m  2 Parquet snapshots × 100 M customers under a memory limit — scripts/bench/big.ts
import { resolve, join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MEMORY_LIMIT, benchBig } from './bench/big.ts';
import { ROOT } from './bench/measure.ts';
import { benchPair } from './bench/pair.ts';
import { FORMATS, referenceChild, type Format, type ReferenceKind } from './bench/reference.ts';
import { benchYear } from './bench/year.ts';

const SCALES = ['pair', 'year', '100m'] as const;
type Scale = (typeof SCALES)[number];
const DEFAULT_CUSTOMERS: Record<Scale, number> = { pair: 4_740_000, year: 5_000_000, '100m': 100_000_000 };
const DEFAULT_PIPELINE = join(ROOT, 'scripts', 'pipeline.ts');

const USAGE = `usage: npm run bench -- [--scale pair|year|100m] [options]

  --scale pair     (default) 2 snapshots (2025-11-30, 2025-12-31), CSV and Parquet: the
                   pipeline against a bare DuckDB pass (reference). Bars: pipeline ≤ 1.5 ×
                   reference wall time, peak RSS < 2 GB. The pipeline runs with --no-cache.
                   A few minutes at full size.
  --scale year     12 month-end snapshots 2025-01-31 … 2025-12-31, plus 2026-01-31 kept
                   aside. Per format: reference over the 12, and the same-work reference
                   (all the report's row-level work in SQL; its bank Gini must equal the
                   pipeline's); pipeline cold (fresh --cache);
                   nothing changed (warm cache, bar ≤ 5 % of cold); one snapshot added (copy
                   of the warm cache + the 13th file, bar ≤ 30 % of a cold 13-file run);
                   outputs byte-identical to the cold runs'; then the site built on the
                   year's output (bar < 2 min). The 1.5 × bar is judged on Parquet.
                   Full size: ~4 GB of inputs (13 × ~210 MB CSV + 13 × ~90 MB Parquet),
                   about 15 minutes with both formats and 3 runs (plus ~1.5 minutes to
                   generate the data the first time).
  --scale 100m     2 Parquet snapshots (2025-11-30, 2025-12-31) generated with DuckDB SQL,
                   one pipeline run with --memory-limit, --temp-dir (spill, in the scratch
                   folder) and --no-cache, its progress streamed. Bar: peak RSS < 8 GB.
                   LONG: tens of minutes (~10 min of generation the first time, kept for
                   the next run), and needs ~20 GB free in the temp folder: ~3.5 GB of
                   Parquet (≈ 17.5 B/row × 2 × 100 M) plus the pipeline's spill (two
                   100 M-row tables are ~10 GB in DuckDB; above the limit they spill).

  --customers N      customers per snapshot (default: pair 4740000, year 5000000, 100m 100000000)
  --runs N           measured runs per figure (default 3; pair and year). In year, a figure
                     whose first run takes more than a minute is measured once (marked *).
  --formats LIST     csv, parquet or csv,parquet (default both; pair and year)
  --memory-limit S   the pipeline's DuckDB memory limit (100m; default ${DEFAULT_MEMORY_LIMIT})
  --clean            delete the cached bench data when done
  --pipeline FILE    pipeline entry point, run as: node FILE --data DIR --out DIR [flags]
                     (default scripts/pipeline.ts, what \`npm run pipeline\` runs)

Inputs are generated once into the temp folder (tierscope-bench-*) and reused while
their marker matches. Flags the pipeline does not know yet (--cache, --no-cache,
--temp-dir) are dropped with a note.`;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string' },
      runs: { type: 'string' },
      customers: { type: 'string' },
      formats: { type: 'string' },
      'memory-limit': { type: 'string' },
      clean: { type: 'boolean' },
      pipeline: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      'reference-child': { type: 'boolean' },
      'reference-kind': { type: 'string' },
      format: { type: 'string' },
      data: { type: 'string' },
    },
    strict: true,
  });
  const int = (name: string, raw: string | undefined, fallback: number, min: number): number => {
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer ≥ ${min}, got "${raw}"`);
    return v;
  };
  const scale = (values.scale ?? 'pair') as Scale;
  if (!SCALES.includes(scale)) throw new Error(`--scale: unknown scale "${values.scale}" (pair, year, 100m)`);
  const formats = (values.formats ?? FORMATS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const f of formats) if (!(FORMATS as readonly string[]).includes(f)) throw new Error(`--formats: unknown format "${f}" (csv, parquet)`);
  if (formats.length === 0) throw new Error('--formats: name at least one of csv, parquet');
  if (scale === '100m' && values.formats !== undefined && formats.join() !== 'parquet') throw new Error('--formats: the 100m scale is Parquet only');
  if (scale !== '100m' && values['memory-limit'] !== undefined) throw new Error('--memory-limit applies to --scale 100m only');
  const memoryLimit = values['memory-limit'] ?? DEFAULT_MEMORY_LIMIT;
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(memoryLimit)) throw new Error(`--memory-limit ${memoryLimit}: expected a size such as 4GB`);
  return {
    help: values.help ?? false,
    child: values['reference-child'] ? { format: values.format as Format, data: values.data ?? '', kind: (values['reference-kind'] ?? 'minimal') as ReferenceKind } : null,
    scale,
    runs: int('runs', values.runs, 3, scale === 'pair' ? 0 : 1),
    customers: int('customers', values.customers, DEFAULT_CUSTOMERS[scale], 1000),
    formats: [...new Set(formats)] as Format[],
    memoryLimit,
    clean: values.clean ?? false,
    pipeline: values.pipeline ? resolve(values.pipeline) : DEFAULT_PIPELINE,
  };
}

async function main(): Promise<void> {
  let opts: ReturnType<typeof parseOptions>;
  try {
    opts = parseOptions();
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (opts.help) {
    console.log(USAGE);
    return;
  }
  if (opts.child) {
    await referenceChild(opts.child.data, opts.child.format, opts.child.kind);
    return;
  }
  if (opts.scale === 'year') await benchYear(opts);
  else if (opts.scale === '100m') await benchBig(opts);
  else await benchPair(opts);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
