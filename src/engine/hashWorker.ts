// Worker: sha256 of whole files, so several inputs are hashed on several cores.
import { parentPort } from 'node:worker_threads';
import { sha256Of } from './fileSha.ts';

export interface HashJob {
  id: number;
  path: string;
}
export type HashResult = { id: number; sha256: string } | { id: number; error: { code?: string; message: string } };

parentPort?.on('message', async ({ id, path }: HashJob) => {
  try {
    parentPort!.postMessage({ id, sha256: await sha256Of(path) } satisfies HashResult);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    parentPort!.postMessage({ id, error: { ...(err.code ? { code: err.code } : {}), message: err.message } } satisfies HashResult);
  }
});
