// The data half of `npm run build`: the analyst's snapshots when data/snapshots/
// holds any, else the built-in synthetic bank (generated once, then reused).
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SAMPLE_BANK_VERSION } from '../src/lib/sampleBank.ts';
import { writeInPlace } from '../src/engine/outputDir.ts';

const USER_DIR = 'data/snapshots';
const SAMPLE_DIR = 'data/sample';
const SNAPSHOT_FILE = /\.(csv|csv\.gz|parquet)$/i;

async function snapshotFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => SNAPSHOT_FILE.test(n) && !n.startsWith('.') && !n.startsWith('_'));
}

/** A build step's child process failed; it has printed its own message. */
export class StepFailed extends Error {
  readonly exitCode: number;
  constructor(script: string, exitCode: number) {
    super(`npm run ${script} failed (exit ${exitCode})`);
    this.exitCode = exitCode;
  }
}

export function npmRun(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], { stdio: 'inherit', env });
  if (r.status !== 0) throw new StepFailed(script, r.status ?? 1);
}

/** The data folder the build reads: the analyst's (`data`, with its config) or the sample bank's. */
export async function inputDir(): Promise<string> {
  return (await snapshotFiles(USER_DIR)).length > 0 ? 'data' : SAMPLE_DIR;
}

/** Runs the pipeline on the build's input, generating the sample bank first when needed; returns the data folder. */
export async function buildData(): Promise<string> {
  const userFiles = await snapshotFiles(USER_DIR);
  if (userFiles.length > 0) {
    process.stderr.write(`build: ${userFiles.length} snapshot file(s) in ${USER_DIR}/\n`);
    npmRun('pipeline', ['--data', 'data']);
    return 'data';
  }
  // The marker names the generator version, so a changed generator regenerates the sample.
  const marker = path.join(SAMPLE_DIR, '.complete');
  const stamp = `sample-bank ${SAMPLE_BANK_VERSION}\n`;
  if ((await readFile(marker, 'utf8').catch(() => '')) !== stamp) {
    process.stderr.write(`build: ${USER_DIR}/ holds no snapshot files; generating the sample bank into ${SAMPLE_DIR}/\n`);
    npmRun('sample', ['--out', SAMPLE_DIR]);
    // Into the sample's folder in place: marked as the tool's, so the next `npm run sample` may replace it.
    await writeInPlace(SAMPLE_DIR, () => writeFile(marker, stamp));
  } else process.stderr.write(`build: ${USER_DIR}/ holds no snapshot files; using the sample bank in ${SAMPLE_DIR}/\n`);
  npmRun('pipeline', ['--data', SAMPLE_DIR]);
  return SAMPLE_DIR;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildData().catch((e) => {
    if (!(e instanceof StepFailed)) throw e;
    process.exit(e.exitCode);
  });
}
