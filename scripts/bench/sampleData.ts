// Bench inputs from the deterministic sample bank (src/lib/sampleBank.ts):
// generated once into the temp folder and reused while the marker (generator
// version, size, seed, dates) matches. The first `main` dates go into csv/ (and
// parquet/); any later ones into csv-next/ (parquet-next/), so a folder holds
// exactly the files one pipeline run reads.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SEED, SAMPLE_BANK_VERSION, generateSampleBank } from '../../src/lib/sampleBank.ts';
import { quoteLiteral as sqlString } from '../../src/engine/aggregate.ts';
import { CSV_COLUMNS, type Format } from './reference.ts';

export interface Marker {
  version: number;
  customers: number;
  seed: number;
  dates: string[];
  rows: number[];
  parquet: boolean;
  /** How many of `dates` are in the main folders; absent (all of them) in markers written before --scale. */
  main?: number;
}

export interface SampleData {
  root: string;
  marker: Marker;
  /** The folder of a format's main snapshots, or of the ones after them (`next`). */
  dir(format: Format, next?: boolean): string;
  /** Row counts of the main snapshots, in date order. */
  mainRows: number[];
  nextRows: number[];
}

/** writeSync may write less than asked; loop until the chunk is out. */
function writeAll(fd: number, chunk: Uint8Array): number {
  let off = 0;
  while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
  return off;
}

function readMarker(root: string): Marker | null {
  try {
    return JSON.parse(readFileSync(join(root, 'marker.json'), 'utf8')) as Marker;
  } catch {
    return null;
  }
}

const folder = (format: Format, next: boolean): string => (next ? `${format}-next` : format);

export async function ensureSampleData(
  root: string,
  customers: number,
  dates: readonly string[],
  main: number,
  formats: readonly Format[],
): Promise<SampleData> {
  const at = (format: Format, i: number): string => join(root, folder(format, i >= main), `snapshot_${dates[i]}.${format}`);
  let marker = readMarker(root);
  const fresh =
    marker !== null &&
    marker.version === SAMPLE_BANK_VERSION &&
    marker.customers === customers &&
    marker.seed === DEFAULT_SEED &&
    marker.dates.join() === dates.join() &&
    (marker.main ?? marker.dates.length) === main &&
    dates.every((_, i) => existsSync(at('csv', i)));
  if (!fresh || !marker) {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(join(root, 'csv'), { recursive: true });
    if (main < dates.length) mkdirSync(join(root, 'csv-next'), { recursive: true });
    const t0 = performance.now();
    const rows: number[] = [];
    for (const snap of generateSampleBank({ customers, seed: DEFAULT_SEED, dates })) {
      const path = at('csv', snap.index);
      const fd = openSync(path + '.tmp', 'w');
      try {
        for (const chunk of snap.csvChunks(4 << 20)) writeAll(fd, chunk);
      } finally {
        closeSync(fd);
      }
      renameSync(path + '.tmp', path);
      rows.push(snap.rows);
    }
    marker = { version: SAMPLE_BANK_VERSION, customers, seed: DEFAULT_SEED, dates: [...dates], rows, parquet: false };
    if (main !== dates.length) marker.main = main;
    writeFileSync(join(root, 'marker.json'), JSON.stringify(marker, null, 2));
    console.error(`generated ${rows.join(' + ')} rows of CSV in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${root}`);
  } else console.error(`reusing bench data in ${root} (${marker.rows.join(' + ')} rows)`);

  if (formats.includes('parquet') && !(marker.parquet && dates.every((_, i) => existsSync(at('parquet', i))))) {
    const t0 = performance.now();
    mkdirSync(join(root, 'parquet'), { recursive: true });
    if (main < dates.length) mkdirSync(join(root, 'parquet-next'), { recursive: true });
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    for (const i of dates.keys()) {
      const csv = at('csv', i);
      const target = at('parquet', i);
      // Money as DECIMAL(18,2), as a core-banking Parquet export would carry it.
      await con.run(
        `COPY (SELECT * FROM read_csv(${sqlString(csv)}, header = true, columns = ${CSV_COLUMNS})) TO ${sqlString(target + '.tmp')} (FORMAT parquet)`,
      );
      renameSync(target + '.tmp', target);
    }
    con.closeSync();
    instance.closeSync();
    marker = { ...marker, parquet: true };
    writeFileSync(join(root, 'marker.json'), JSON.stringify(marker, null, 2));
    console.error(`converted to Parquet in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const m = marker;
  return {
    root,
    marker: m,
    dir: (format, next = false) => join(root, folder(format, next)),
    mainRows: m.rows.slice(0, main),
    nextRows: m.rows.slice(main),
  };
}
