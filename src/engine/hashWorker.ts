// Worker: sha256 of whole files, so several inputs are hashed on several cores.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { parentPort } from 'node:worker_threads';

export interface HashJob {
  id: number;
  path: string;
}
export type HashResult = { id: number; sha256: string } | { id: number; error: { code?: string; message: string } };

parentPort?.on('message', async ({ id, path }: HashJob) => {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) hash.update(chunk as Buffer);
    parentPort!.postMessage({ id, sha256: hash.digest('hex') } satisfies HashResult);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    parentPort!.postMessage({ id, error: { ...(err.code ? { code: err.code } : {}), message: err.message } } satisfies HashResult);
  }
});
