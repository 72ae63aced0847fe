// Worker: sorts one snapshot's amounts and computes every scope's published
// concentration, so this single-threaded work runs beside DuckDB on the other core.
import { parentPort } from 'node:worker_threads';
import { sortAmounts, type RawAmounts } from './aggregate.ts';
import { concentrationOf } from '../lib/assemble/concentrationInput.ts';
import type { Concentration } from '../schema/output.ts';

export interface ConcentrationJob {
  id: number;
  raw: RawAmounts;
  minCell: number;
}
export interface ConcentrationResult {
  id: number;
  error?: string;
  /** Per measure: bank, then [branch, figures] pairs (Maps do not cross threads as such). */
  aum?: { bank: Concentration; branches: [string, Concentration][] };
  deposits?: { bank: Concentration; branches: [string, Concentration][] };
}

export function computeConcentrations(raw: RawAmounts, minCell: number): Required<Omit<ConcentrationResult, 'id' | 'error'>> {
  const one = (values: Float64Array, lastUse: boolean) => {
    const c = concentrationOf(sortAmounts(raw, values, lastUse), minCell);
    return { bank: c.bank, branches: [...c.branches] };
  };
  // In this order, so the sorted aum (and its scratch) can be collected before deposits are sorted.
  const aum = one(raw.aum, false);
  return { aum, deposits: one(raw.deposits, true) };
}

parentPort?.on('message', (job: ConcentrationJob) => {
  try {
    parentPort!.postMessage({ id: job.id, ...computeConcentrations(job.raw, job.minCell) } satisfies ConcentrationResult);
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: (e as Error).stack ?? String(e) } satisfies ConcentrationResult);
  }
});
