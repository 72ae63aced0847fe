// Canonical keys of published quantities, independent of where they are shown: a
// snapshot cell has one key whether it is read from snapshots/<date>.json, from a
// period's tier bridge (start/end) or from series.json, so every rendering of one
// value is checked together. Tiers are indices into the config's tier list.

/** "*" = the whole bank; "b:<code>" = a branch. */
export const scopeOf = (branch: string | null) => (branch === null ? '*' : `b:${branch}`);

/** A customer group of a snapshot: part = tier key, sub-band key, "midhigh" or "total". */
export const snapKey = (date: string, scope: string, part: string) => `S|${date}|${scope}|${part}`;
/** A customer group (or derived figure) of a period, e.g. "M|0|1", "new|2", "pool|all|outUp". */
export const flowKey = (period: string, scope: string, name: string) => `P|${period}|${scope}|${name}`;
