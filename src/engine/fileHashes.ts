// sha256 of many input files at once: a warm rebuild does little else, and one
// core hashes about 1 GB/s, so the files are spread over up to two workers.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { readError, sha256File } from './encoding.ts';
import type { HashResult } from './hashWorker.ts';

/**
 * The hex sha256 of each path, in order; `onHashed` is called as each one is
 * known (in any order). A file that cannot be read fails the whole call with
 * an InputError naming it, as sha256File does.
 */
export async function hashFiles(paths: readonly string[], onHashed?: (index: number) => void, maxWorkers = 2): Promise<string[]> {
  const workers = Math.min(maxWorkers, availableParallelism(), paths.length);
  if (workers <= 1) {
    const out: string[] = [];
    for (const [i, p] of paths.entries()) {
      out.push(await sha256File(p));
      onHashed?.(i);
    }
    return out;
  }
  const out = new Array<string>(paths.length);
  let next = 0;
  const pool = Array.from({ length: workers }, () => new Worker(new URL('./hashWorker.ts', import.meta.url)));
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const give = () => {
              if (next >= paths.length) return resolve();
              const id = next++;
              worker.postMessage({ id, path: paths[id]! });
            };
            worker.on('message', (r: HashResult) => {
              if ('error' in r) return reject(readError({ path: paths[r.id]!, format: 'parquet' }, r.error));
              out[r.id] = r.sha256;
              onHashed?.(r.id);
              give();
            });
            worker.on('error', reject);
            worker.on('exit', (code) => code !== 0 && reject(new Error(`hash worker exited with code ${code}`)));
            give();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return out;
}
