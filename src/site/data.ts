// The site's only door to the pipeline's output: every file is parsed through
// its zod schema once per build (pages share the cache), so a page never renders
// a shape the pipeline did not promise.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import {
  Manifest,
  Meta,
  OUTPUT_FILES,
  PeriodFile,
  QualityFile,
  SeriesFile,
  SnapshotFile,
  type Manifest as ManifestT,
  type Meta as MetaT,
  type PeriodFile as PeriodFileT,
  type QualityFile as QualityT,
  type ScopePeriod,
  type ScopeSnapshot,
  type SeriesFile as SeriesT,
  type SnapshotFile as SnapshotFileT,
} from '../schema/output.ts';
import type { z } from 'zod';
import { counted } from './memo.ts';

export const DATA_DIR = path.resolve(process.env.TIERSCOPE_DATA ?? 'public/data');

const cache = new Map<string, unknown>();

function read<S extends z.ZodType>(schema: S, rel: string, dir = DATA_DIR): z.infer<S> {
  const file = path.join(dir, rel);
  const hit = cache.get(file);
  if (hit !== undefined) return hit as z.infer<S>;
  if (!existsSync(file)) throw new Error(`${file} is missing: run the pipeline first (npm run build does)`);
  const parsed = schema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} does not match its schema: ${parsed.error.message}`);
  cache.set(file, parsed.data);
  counted('json');
  return parsed.data;
}

/** A reader over one output folder; the site uses DATA_DIR, tests a fixture folder. */
export interface Report {
  meta: () => MetaT;
  manifest: () => ManifestT;
  quality: () => QualityT;
  series: () => SeriesT;
  snapshot: (date: string) => SnapshotFileT;
  period: (id: string) => PeriodFileT;
}

export function reportAt(dir: string = DATA_DIR): Report {
  return {
    meta: () => read(Meta, OUTPUT_FILES.meta, dir),
    manifest: () => read(Manifest, OUTPUT_FILES.manifest, dir),
    quality: () => read(QualityFile, OUTPUT_FILES.quality, dir),
    series: () => read(SeriesFile, OUTPUT_FILES.series, dir),
    snapshot: (date) => read(SnapshotFile, OUTPUT_FILES.snapshot(date), dir),
    period: (id) => read(PeriodFile, OUTPUT_FILES.period(id), dir),
  };
}

function scope<T extends { branch: string | null }>(scopes: T[], branch: string | null, where: string): T {
  const s = scopes.find((x) => x.branch === branch);
  if (!s) throw new Error(`${where} has no scope ${branch === null ? '(bank)' : branch}`);
  return s;
}

export const snapshotScope = (f: SnapshotFileT, branch: string | null): ScopeSnapshot =>
  scope(f.scopes, branch, `snapshot ${f.date}`);
export const periodScope = (f: PeriodFileT, branch: string | null): ScopePeriod =>
  scope(f.scopes, branch, `period ${f.id}`);
export const seriesScope = (f: SeriesT, branch: string | null): SeriesT['scopes'][number] =>
  scope(f.scopes, branch, 'series');
