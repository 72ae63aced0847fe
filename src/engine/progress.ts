// Progress and timings on stderr: stdout stays free for the summary a script may parse.
export interface Progress {
  stage<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** Transient status for long work; rate-limited, overwritten in a terminal. */
  tick(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  readonly timings: { stage: string; seconds: number }[];
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr, quiet = false): Progress {
  const tty = stream.isTTY === true;
  let lastTick = 0;
  let dirty = false;
  const clear = () => {
    if (dirty && tty) stream.write('\r\x1b[K');
    dirty = false;
  };
  const line = (s: string) => {
    clear();
    if (!quiet) stream.write(`${s}\n`);
  };
  const timings: { stage: string; seconds: number }[] = [];
  return {
    timings,
    async stage(name, work) {
      const t0 = performance.now();
      const result = await work();
      const seconds = (performance.now() - t0) / 1000;
      timings.push({ stage: name, seconds });
      line(`stage ${name}: ${seconds.toFixed(2)} s`);
      return result;
    },
    tick(message) {
      const now = performance.now();
      if (quiet || now - lastTick < (tty ? 100 : 2000)) return;
      lastTick = now;
      if (tty) {
        stream.write(`\r\x1b[K${message.slice(0, (stream.columns ?? 100) - 1)}`);
        dirty = true;
      } else stream.write(`${message}\n`);
    },
    info: line,
    warn: (m) => line(`warning: ${m}`),
  };
}

/**
 * How much of a run's estimated work is done, and how long the rest should take
 * at the rate so far. Units are the caller's (the pipeline uses input bytes,
 * weighting each step by its measured cost per byte).
 */
export interface Meter {
  /** Units of finished steps. */
  finish(units: number): void;
  /** Units done of the step under way (a lower figure than before is ignored). */
  partial(units: number): void;
  /** "42 % done, about 3 min 10 s left" once there is a rate to go by. */
  status(): string;
}

export function createMeter(total: number, now: () => number = () => performance.now()): Meter {
  const t0 = now();
  let finished = 0;
  let current = 0;
  return {
    finish(units) {
      finished += units;
      current = 0;
    },
    partial(units) {
      // A step runs several queries, each reporting from 0 %: the estimate never goes back.
      current = Math.max(current, units);
    },
    status() {
      const done = Math.min(finished + current, total);
      const share = total > 0 ? done / total : 1;
      const elapsed = (now() - t0) / 1000;
      // Below 1 % or 2 s the rate says little; no estimate beats a wild one.
      if (share < 0.01 || elapsed < 2) return `${(share * 100).toFixed(0)} % done`;
      return `${(share * 100).toFixed(0)} % done, about ${duration((elapsed / share) * (1 - share))} left`;
    },
  };
}

/** 4 s, 2 min 05 s, 1 h 03 min. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
