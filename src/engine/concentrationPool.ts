// One background worker for the concentration figures (see concentrationWorker.ts).
import { Worker } from 'node:worker_threads';
import type { RawAmounts } from './aggregate.ts';
import type { ConcentrationResult } from './concentrationWorker.ts';
import type { ScopeConcentrations } from '../lib/assemble/concentrationInput.ts';

export interface SnapshotConcentrations {
  aum: ScopeConcentrations;
  deposits: ScopeConcentrations;
}

export class ConcentrationPool {
  #worker: Worker;
  #next = 0;
  #pending = new Map<number, { resolve: (r: SnapshotConcentrations) => void; reject: (e: Error) => void }>();

  constructor() {
    this.#worker = new Worker(new URL('./concentrationWorker.ts', import.meta.url));
    this.#worker.on('message', (r: ConcentrationResult) => {
      const p = this.#pending.get(r.id);
      if (!p) return;
      this.#pending.delete(r.id);
      if (r.error || !r.aum || !r.deposits) p.reject(new Error(`concentration worker: ${r.error ?? 'no result'}`));
      else
        p.resolve({
          aum: { bank: r.aum.bank, branches: new Map(r.aum.branches) },
          deposits: { bank: r.deposits.bank, branches: new Map(r.deposits.branches) },
        });
    });
    this.#worker.on('error', (e) => this.#failAll(e));
    this.#worker.on('exit', (code) => code !== 0 && this.#failAll(new Error(`concentration worker exited with code ${code}`)));
  }

  #failAll(e: Error) {
    for (const p of this.#pending.values()) p.reject(e);
    this.#pending.clear();
  }

  /** Hands the arrays over to the worker (transferred, not copied): `raw` is unusable afterwards. */
  compute(raw: RawAmounts, minCell: number): Promise<SnapshotConcentrations> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, raw, minCell }, [raw.bid.buffer, raw.aum.buffer, raw.deposits.buffer] as ArrayBuffer[]);
    });
  }

  get pending(): number {
    return this.#pending.size;
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}
