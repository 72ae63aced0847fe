// Tier and sub-band lookup on the integer-fen axis the metric code works in.
import { bandsOf, type Config } from './config.ts';

/** Config bounds are in 元; rounding keeps a bound like 0.1 元 from becoming 10.000000000000002 fen. */
export const yuanToFen = (yuan: number): number => Math.round(yuan * 100);

/** Tier lower bounds in fen, ascending, the first 0. */
export const lowersFen = (config: Config): number[] => config.tiers.map((t) => yuanToFen(t.lower));

/** Lower bounds in fen of the finest partition (bandsOf order). */
export const bandLowersFen = (config: Config): number[] => bandsOf(config).map((b) => yuanToFen(b.lower));

/** Tier index of every band, so band cells can be rolled up to tiers. */
export const tierOfBand = (config: Config): number[] => bandsOf(config).map((b) => b.tierIndex);

/**
 * Index of the range `[lowers[i], lowers[i+1])` holding `aumFen`: the lower bound
 * is inclusive, so exactly 5 000 元 is `potential`, not `ordinary`.
 */
export function tierIndexOf(aumFen: number, lowers: readonly number[]): number {
  const first = lowers[0];
  if (first === undefined) throw new RangeError('no tiers');
  if (!(aumFen >= first)) throw new RangeError(`amount ${aumFen} fen is below the first tier bound ${first} (or not a number)`);
  // Binary search for the last bound ≤ aumFen; tier lists are short but the row stage may call this per customer.
  let lo = 0;
  let hi = lowers.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((lowers[mid] as number) <= aumFen) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Same rule over the sub-band bounds from bandLowersFen. */
export const bandIndexOf = (aumFen: number, bandLowers: readonly number[]): number => tierIndexOf(aumFen, bandLowers);

/** Index of the first mid-high (中高端) tier. */
export function midHighFromIndex(config: Config): number {
  const i = config.tiers.findIndex((t) => t.key === config.midHighFrom);
  if (i < 0) throw new RangeError(`midHighFrom "${config.midHighFrom}" is not a tier key`);
  return i;
}

/** Every tier from midHighFrom up. */
export function midHighTierIndices(config: Config): number[] {
  const from = midHighFromIndex(config);
  return config.tiers.map((_, i) => i).filter((i) => i >= from);
}
