// The subtraction check: can a withheld value be worked out from what is
// published? Every relation (figures.ts) in which exactly one value is unknown
// gives that value back. Round 1 uses only published values: a withheld value
// found there is recoverable from one relation. Values found are then treated as
// known and the relations are tried again until nothing changes: a withheld value
// found in a later round is recoverable by chaining relations (README's "known
// limit: a combination of several relations"). Intermediate values that no file
// shows (a retained count, a pooled count) take part as unknowns.
// Also: one value shown in several places (a snapshot cell in its snapshot file,
// a period's bridge and series.json) must be withheld everywhere or nowhere.
import type { Figure, Relation, Published } from './figures.ts';
import type { Finding } from './report.ts';

export interface SubtractionResult {
  findings: Finding[];
  relationsChecked: number;
  withheld: number;
}

export function subtractionCheck(pub: Published): SubtractionResult {
  const findings: Finding[] = [];
  const byKey = new Map<string, Figure[]>();
  for (const f of pub.figures) byKey.set(f.key, [...(byKey.get(f.key) ?? []), f]);

  // A value is known when any rendering publishes it; null carries no value (undefined ratios).
  const known = new Map<string, number>();
  const withheld = new Map<string, Figure>();
  const nulls = new Set<string>();
  for (const [key, figs] of byKey) {
    const num = figs.find((f) => f.status === 'num');
    const sup = figs.find((f) => f.status === 'suppressed');
    if (num) known.set(key, num.value!);
    if (sup) withheld.set(key, sup);
    if (figs.every((f) => f.status === 'null')) nulls.add(key);
    if (num && sup)
      findings.push({
        check: 'subtraction',
        kind: 'inconsistent-rendering',
        file: num.file,
        location: `${num.loc} is published, but ${sup.file}: ${sup.loc} withholds the same value`,
      });
  }

  const solved = new Map<string, { round: number; relation: string }>();
  let round = 0;
  for (let changed = true; changed; ) {
    changed = false;
    round++;
    const isKnown = (k: string) => known.has(k) || solved.has(k);
    // Solve against the state at the start of the round, so round numbers mean chain length.
    const found: [string, string][] = [];
    for (const r of pub.relations) {
      for (const k of unknownSolvable(r, isKnown, (k) => (known.has(k) ? known.get(k)! : null), nulls)) found.push([k, r.name]);
    }
    for (const [k, name] of found)
      if (!solved.has(k)) {
        solved.set(k, { round, relation: name });
        changed = true;
      }
  }

  for (const [key, s] of solved) {
    const fig = withheld.get(key);
    if (!fig) continue;
    findings.push({
      check: 'subtraction',
      kind: s.round === 1 ? 'recoverable' : 'recoverable-by-combination',
      file: fig.file,
      location: `${fig.loc}, from "${s.relation}"${s.round > 1 ? ` after ${s.round - 1} earlier step(s) of other relations` : ''}`,
    });
  }
  return { findings, relationsChecked: pub.relations.length, withheld: withheld.size };
}

/** The terms a relation gives back, given which are known (at most one). */
function unknownSolvable(r: Relation, isKnown: (k: string) => boolean, value: (k: string) => number | null, nulls: Set<string>): string[] {
  if (r.kind === 'sum' || r.kind === 'fn') {
    const terms = r.kind === 'sum' ? [r.total, ...r.members] : r.terms;
    const unknown = terms.filter((k) => !isKnown(k));
    return unknown.length === 1 ? unknown : [];
  }
  // num = ratio × den. An undefined (null) ratio says nothing; a ratio of 0 does not give the denominator.
  if (nulls.has(r.ratio)) return [];
  const unknown = [r.num, r.ratio, r.den].filter((k) => !isKnown(k));
  if (unknown.length !== 1) return [];
  if (unknown[0] === r.den && value(r.ratio) === 0) return [];
  return unknown;
}
