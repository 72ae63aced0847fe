// The summary's narrative and KPI cards against the fixture report: every figure a
// sentence states must be the JSON's, formatted; withheld inputs drop the sentence.
import { beforeAll, describe, expect, it } from 'vitest';
import { narrative, type NarrativeInput } from '../src/site/narrative.ts';
import { kpisOf } from '../src/site/kpis.ts';
import { periodScope, seriesScope, snapshotScope, type Report } from '../src/site/data.ts';
import { count, percent } from '../src/lib/format.ts';
import type { Lang } from '../src/lib/format.ts';
import { fixtureReport } from './helpers/report.ts';

let report: Report;
beforeAll(async () => {
  ({ report } = await fixtureReport());
});

function input(lang: Lang, branch: string | null = null): NarrativeInput {
  const meta = report.meta();
  const head = meta.periods.find((p) => p.headline)!;
  return {
    meta,
    lang,
    snapshot: structuredClone(snapshotScope(report.snapshot(head.end), branch)),
    period: structuredClone(periodScope(report.period(head.id), branch)),
    asOf: head.end,
    yearStart: snapshotScope(report.snapshot(head.start), branch),
  };
}

const num = (v: unknown) => v as number;

describe('narrative', () => {
  it('tells 4–6 sentences for the bank, each quoting the published figures', () => {
    for (const lang of ['zh', 'en'] as const) {
      const inp = input(lang);
      const s = narrative(inp);
      expect(s.length).toBeGreaterThanOrEqual(4);
      expect(s.length).toBeLessThanOrEqual(6);
      const text = s.join(' ');
      expect(text).toContain(count(num(inp.snapshot.customers), lang));
      expect(text).toContain(percent(num(inp.snapshot.midHigh.nShare), lang));
      expect(text).toContain(percent(num(inp.snapshot.midHigh.aumShare), lang));
      expect(text).toContain(percent(num(inp.snapshot.concentration.aum.point80), lang));
      expect(text).toContain(percent(num(inp.period!.newMix.midHighShare), lang));
      expect(text).toContain(percent(num(inp.period!.newMix.stockMidHighShare), lang));
    }
  });

  it('states the net change since the year start as end − start customers', () => {
    const inp = input('en');
    const net = num(inp.snapshot.customers) - num(inp.yearStart!.customers);
    expect(net).not.toBe(0);
    expect(narrative(inp)[0]).toContain(`a net ${net > 0 ? 'gain' : 'loss'} of ${count(Math.abs(net), 'en')}`);
  });

  it('calls the pyramid a pyramid only when counts fall tier by tier', () => {
    const inp = input('en');
    expect(narrative(inp)[0]).toContain('classic pyramid');
    inp.snapshot.tiers[3]!.n = num(inp.snapshot.tiers[2]!.n) + 1;
    expect(narrative(inp)[0]).not.toContain('pyramid');
  });

  it('drops a sentence whose inputs are withheld instead of guessing', () => {
    const inp = input('en');
    const before = narrative(inp);
    inp.snapshot.concentration.aum.point80 = { suppressed: 'frequency' };
    inp.period!.newMix.midHighShare = { suppressed: 'secondary' };
    const after = narrative(inp);
    expect(after.length).toBe(before.length - 2);
    expect(after.join(' ')).not.toMatch(/80\/20|new customers/);
  });

  it('says "in line with" when the new and stock shares agree to two decimals, and the direction otherwise', () => {
    const inp = input('en');
    inp.period!.newMix.midHighShare = 0.04401;
    inp.period!.newMix.stockMidHighShare = 0.04398; // both 4.40%
    expect(narrative(inp).at(-1)).toContain('in line with the stock’s 4.40%');
    inp.period!.newMix.midHighShare = 0.05;
    expect(narrative(inp).at(-1)).toContain('5.00% of them are mid-high, above the stock’s 4.40% (+0.60 pp)');
    const zh = input('zh');
    zh.period!.newMix.midHighShare = 0.03;
    zh.period!.newMix.stockMidHighShare = 0.04;
    expect(narrative(zh).at(-1)).toContain('低于存量客户的4.00%（-1.00个百分点），新增客户结构弱于存量');
  });

  it('reads the 80/20 check the right way round', () => {
    const inp = input('en');
    inp.snapshot.concentration.aum.point80 = 0.35;
    expect(narrative(inp).join(' ')).toContain('less concentrated than the 80/20 rule: 80% of assets sit with 35.00% of customers');
    inp.snapshot.concentration.aum.point80 = 0.02;
    expect(narrative(inp).join(' ')).toContain('more concentrated than the 80/20 rule');
  });

  it('balances migration by comparing gross up and down rates', () => {
    const inp = input('en');
    inp.period!.pooled.all.gross.up = 0.03;
    inp.period!.pooled.all.gross.down = 0.02;
    expect(narrative(inp).join(' ')).toContain('3.00% of customers moved up a tier and 2.00% moved down, so upgrades outnumber downgrades');
    inp.period!.pooled.all.gross.down = 0.03;
    expect(narrative(inp).join(' ')).toContain('so the two are level');
  });
});

describe('KPI cards', () => {
  it('show the latest snapshot and the headline period, with history per snapshot or period', () => {
    const meta = report.meta();
    const kpis = kpisOf(report, 'en');
    expect(kpis.map((k) => k.id)).toEqual(['customers', 'mid-high', 'mid-high-aum', 'mid-high-deposits', 'mid-high-up', 'mid-high-down', 'new']);
    const latest = snapshotScope(report.snapshot(meta.snapshots.at(-1)!), null);
    const prev = snapshotScope(report.snapshot(meta.snapshots.at(-2)!), null);
    const byId = new Map(kpis.map((k) => [k.id, k]));
    expect(byId.get('customers')!.value).toBe(count(num(latest.customers), 'en'));
    const d = num(latest.customers) - num(prev.customers);
    expect(byId.get('customers')!.delta!.text).toBe(`vs previous ${count(d, 'en', true)}`);
    expect(byId.get('mid-high-aum')!.value).toBe(percent(num(latest.midHigh.aumShare), 'en'));
    const series = seriesScope(report.series(), null);
    expect(byId.get('customers')!.history.map((h) => h.y)).toEqual(series.snapshots.map((s) => s.customers));
    expect(byId.get('new')!.history).toHaveLength(meta.periods.filter((p) => p.consecutive).length);
    const head = periodScope(report.period(meta.headline!), null);
    expect(byId.get('new')!.value).toBe(count(num(head.newMix.total), 'en'));
  });

  it('leave the change line out when either side is withheld', () => {
    const meta = report.meta();
    const branch = meta.branches.find((b) => {
      const s = snapshotScope(report.snapshot(meta.snapshots.at(-1)!), b.code);
      return typeof s.midHigh.aumShare === 'object';
    });
    expect(branch, 'fixture has a branch with a withheld mid-high asset share').toBeDefined();
    const k = kpisOf(report, 'zh', branch!.code).find((x) => x.id === 'mid-high-aum')!;
    expect(k.value).toBe('—');
    expect(k.delta).toBeNull();
  });
});
