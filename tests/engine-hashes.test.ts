import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/engine/errors.ts';
import { hashFiles } from '../src/engine/fileHashes.ts';
import { tempDir } from './helpers/pipeline.ts';

describe('hashFiles', () => {
  it('gives each file its own sha256, in the order asked, on one worker or several', async () => {
    const dir = await tempDir('ts-hashes-');
    // Sizes around the 4 MB read size, so some files take more than one chunk.
    const contents = [0, 1, 4 << 20, (4 << 20) + 1, 9_000_000].map((n, i) => Buffer.alloc(n, i + 1));
    const paths = await Promise.all(
      contents.map(async (c, i) => {
        const p = path.join(dir, `f${i}`);
        await writeFile(p, c);
        return p;
      }),
    );
    const expected = contents.map((c) => createHash('sha256').update(c).digest('hex'));
    for (const workers of [1, 2]) {
      const seen: number[] = [];
      expect(await hashFiles(paths, (i) => seen.push(i), workers)).toEqual(expected);
      expect(seen.sort()).toEqual([0, 1, 2, 3, 4]);
    }
  });

  it('fails naming the file it cannot read', async () => {
    const dir = await tempDir('ts-hashes-');
    const ok = path.join(dir, 'ok');
    await writeFile(ok, 'x');
    const missing = path.join(dir, 'missing');
    for (const workers of [1, 2]) {
      const e = await hashFiles([ok, missing, ok], undefined, workers).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).message).toBe(`${missing}: cannot read the file (ENOENT)`);
    }
  });
});
