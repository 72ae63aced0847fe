// The site's only door to the pipeline's output: every file is parsed through
// its zod schema, so a page never renders a shape the pipeline did not promise.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { Manifest, Meta, QualityFile, type Manifest as ManifestT, type Meta as MetaT, type QualityFile as QualityT } from '../schema/output.ts';
import type { z } from 'zod';

export const DATA_DIR = path.resolve(process.env.TIERSCOPE_DATA ?? 'public/data');

function read<S extends z.ZodType>(schema: S, rel: string): z.infer<S> {
  const file = path.join(DATA_DIR, rel);
  if (!existsSync(file)) throw new Error(`${file} is missing: run the pipeline first (npm run build does)`);
  return schema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export const loadMeta = (): MetaT => read(Meta, 'meta.json');
export const loadManifest = (): ManifestT => read(Manifest, 'manifest.json');
export const loadQuality = (): QualityT => read(QualityFile, 'quality.json');
