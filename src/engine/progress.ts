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
