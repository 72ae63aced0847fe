// Every published identity, checked on a real report: where a total equals a sum of
// published parts, hiding exactly one part would let a reader subtract it back.
// Rates that add to 100 % are the same identity in disguise.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/site/data.ts';
import { fixtureReport } from './helpers/report.ts';

let report: Report;
beforeAll(async () => {
  ({ report } = await fixtureReport());
});

const hidden = (v: unknown) => typeof v === 'object' && v !== null;

describe('no withheld figure is the only unknown of an identity', () => {
  it('gross rates per tier (up + down + stay + loss + transfer out = 100 %)', () => {
    const leaks: string[] = [];
    for (const p of report.meta().periods) {
      for (const s of report.period(p.id).scopes) {
        for (const t of s.tiers) {
          const g = t.rates.gross;
          const parts = [g.up, g.down, g.stay, g.loss, g.transferOut];
          if (parts.filter(hidden).length === 1) leaks.push(`${p.id} ${s.branch ?? 'bank'} ${t.tier}`);
        }
        for (const [name, r] of Object.entries(s.pooled)) {
          const g = r.gross;
          if ([g.up, g.down, g.stay, g.loss, g.transferOut].filter(hidden).length === 1) leaks.push(`${p.id} ${s.branch ?? 'bank'} pooled ${name}`);
        }
      }
    }
    expect(leaks).toEqual([]);
  });

  it('tier counts (start = stay + out up + out down + lost + transfer out)', () => {
    const leaks: string[] = [];
    for (const p of report.meta().periods) {
      for (const s of report.period(p.id).scopes) {
        for (const t of s.tiers) {
          const stay = s.transitions.find((x) => x.from === t.tier && x.to === t.tier)?.n;
          const parts = [t.start, stay, t.outUp, t.outDown, t.lost, t.transferOut];
          if (parts.filter(hidden).length === 1) leaks.push(`${p.id} ${s.branch ?? 'bank'} ${t.tier}`);
        }
      }
    }
    expect(leaks).toEqual([]);
  });
});
