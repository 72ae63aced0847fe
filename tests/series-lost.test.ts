// The bank's lost customers per period in series.json, checked against an
// independent count: start customers − ids matched in the end snapshot (quality.json).
import { describe, expect, it } from 'vitest';
import { seriesScope } from '../src/site/data.ts';
import { fixtureReport } from './helpers/report.ts';

describe('series: lost customers', () => {
  it('equals start customers − matched ids for every consecutive period of the bank', async () => {
    const { report } = await fixtureReport();
    const bank = seriesScope(report.series(), null);
    const match = report.quality().idMatch;
    expect(bank.periods.length).toBeGreaterThan(0);
    for (const p of bank.periods) {
      const m = match.find((x) => x.start === p.start && x.end === p.end)!;
      expect(p.lost, p.id).toBe(m.startCustomers - m.matched);
    }
  });
});
