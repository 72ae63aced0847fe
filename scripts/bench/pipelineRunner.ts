// Runs the pipeline CLI as a measured child. Flags the pipeline may not have yet
// (--cache, --no-cache, --temp-dir) are dropped — with a note, once — when it
// answers "Unknown option" (exit 2), and the run is repeated without them.
import { measure, type Measured, type MeasureOptions } from './measure.ts';

export interface PipelineFlags {
  /** A cache folder (--cache DIR), or false for --no-cache; undefined passes neither. */
  cache?: string | false;
  memoryLimit?: string;
  tempDir?: string;
}

export class PipelineRunner {
  private readonly unsupported = new Set<string>();
  readonly entry: string;
  private readonly scratch: string;

  constructor(entry: string, scratch: string) {
    this.entry = entry;
    this.scratch = scratch;
  }

  /** False once the pipeline has refused the flag. */
  supports(flag: string): boolean {
    return !this.unsupported.has(flag);
  }

  async run(data: string, out: string, flags: PipelineFlags = {}, opts: MeasureOptions = {}): Promise<Measured & { args: string[] }> {
    for (;;) {
      const args = ['--data', data, '--out', out];
      const add = (flag: string, ...value: string[]) => {
        if (this.supports(flag)) args.push(flag, ...value);
      };
      if (typeof flags.cache === 'string') add('--cache', flags.cache);
      else if (flags.cache === false) add('--no-cache');
      if (flags.memoryLimit !== undefined) add('--memory-limit', flags.memoryLimit);
      if (flags.tempDir !== undefined) add('--temp-dir', flags.tempDir);
      const m = await measure(process.execPath, [this.entry, ...args], this.scratch, opts);
      const unknown = m.code === 2 ? /Unknown option '(--[\w-]+)'/.exec(m.stderr)?.[1] : undefined;
      if (unknown !== undefined && args.includes(unknown) && this.supports(unknown)) {
        this.unsupported.add(unknown);
        console.error(`note: the pipeline has no ${unknown} option yet; running without it`);
        continue;
      }
      return { ...m, args };
    }
  }
}
