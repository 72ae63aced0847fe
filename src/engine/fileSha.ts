// The one routine that hashes a whole file, shared by the main thread
// (encoding.ts) and the hash workers (hashWorker.ts), which must not load the
// rest of the engine. Errors are left as the file system raised them.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
