// Measuring a child process: wall time from spawn to exit, and peak RSS of the
// whole process from GNU time's %M when /usr/bin/time exists, else by polling
// the kernel's high-water mark (VmHWM) of the child. DuckDB's memory is native,
// so the V8 heap alone would under-report.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');

export interface Measured {
  wall: number;
  rssBytes: number | null;
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface MeasureOptions {
  /** Extra environment for the child (merged over this process's). */
  env?: NodeJS.ProcessEnv;
  /** Copy the child's stderr to this process's stderr line by line, each line prefixed (it is still captured). */
  echo?: string;
}

const GNU_TIME = '/usr/bin/time';
export const hasGnuTime = ((): boolean => {
  if (!existsSync(GNU_TIME)) return false;
  const r = spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' });
  return r.status === 0 && /^\d+\s*$/m.test(r.stderr);
})();

export const rssMethod = hasGnuTime ? `${GNU_TIME} -f %M` : 'polling /proc/<pid>/status VmHWM';

function vmHwmBytes(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export function measure(cmd: string, args: string[], scratch: string, opts: MeasureOptions = {}): Promise<Measured> {
  const timeFile = join(scratch, `time-${process.hrtime.bigint()}.txt`);
  const [file, argv] = hasGnuTime ? [GNU_TIME, ['-f', '%M', '-o', timeFile, cmd, ...args]] : [cmd, args];
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const child = spawn(file, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ? { ...process.env, ...opts.env } : process.env });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      if (opts.echo === undefined) return;
      // Progress may overwrite itself with \r in a terminal; show each update as its own line.
      const lines = (pending + s).split(/\r\n|\n|\r/);
      pending = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) process.stderr.write(`${opts.echo}${l.replace(/\x1b\[K/g, '')}\n`);
    });
    let polled: number | null = null;
    const poll = hasGnuTime
      ? null
      : setInterval(() => {
          const v = child.pid === undefined ? null : vmHwmBytes(child.pid);
          if (v !== null) polled = Math.max(polled ?? 0, v);
        }, 20);
    child.on('error', fail);
    child.on('close', (code) => {
      const wall = (performance.now() - t0) / 1000;
      if (poll) clearInterval(poll);
      if (opts.echo !== undefined && pending.trim()) process.stderr.write(`${opts.echo}${pending}\n`);
      let rssBytes = polled;
      if (hasGnuTime) {
        try {
          // GNU time prepends "Command exited with non-zero status" lines; %M is the last line.
          const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
          rssBytes = /^\d+$/.test(last) ? Number(last) * 1024 : null;
          rmSync(timeFile, { force: true });
        } catch {
          rssBytes = null;
        }
      }
      done({ wall, rssBytes, code, stdout, stderr });
    });
  });
}

const STAGE_RE = /^\s*stage\s+(.+?):\s*([\d.]+)\s*s\s*$/gm;

/** The pipeline's `stage <name>: <t> s` stderr lines, summed per name. */
export function parseStages(stderr: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of stderr.matchAll(STAGE_RE)) out.set(m[1]!, (out.get(m[1]!) ?? 0) + Number(m[2]));
  return out;
}

/** The raw `stage …` lines, for printing as the pipeline wrote them. */
export function stageLines(stderr: string): string[] {
  return [...stderr.matchAll(STAGE_RE)].map((m) => m[0].trim());
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median wall time of the runs, or null with none. */
export const medianWall = (ms: readonly Measured[]): number | null => (ms.length ? median(ms.map((m) => m.wall)) : null);

/** Median peak RSS, or null when there are no runs or any run lacks a figure. */
export const medianRss = (ms: readonly Measured[]): number | null =>
  ms.length && ms.every((m) => m.rssBytes !== null) ? median(ms.map((m) => m.rssBytes!)) : null;

export function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
