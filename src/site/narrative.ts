// The summary's narrative: 4–6 sentences in the register of a bank's internal
// review, each built from a template over published figures. A sentence whose
// inputs are withheld or undefined is left out rather than guessed, and a
// comparison that rounds to 0.00 pp is called level, not higher or lower.
import type { Meta, ScopePeriod, ScopeSnapshot } from '../schema/output.ts';
import { compareShares, count, date, multiple, percent, points, valueOf, type Lang } from '../lib/format.ts';
import { L, tierLabel } from '../charts/common.ts';

export interface NarrativeInput {
  meta: Meta;
  lang: Lang;
  /** The latest snapshot, for the scope. */
  snapshot: ScopeSnapshot;
  /** The headline period, for the scope, or null with a single snapshot. */
  period: ScopePeriod | null;
  asOf: string;
  /** The headline period's start snapshot, for the scope. */
  yearStart: ScopeSnapshot | null;
}

export function narrative({ meta, lang, snapshot: s, period, asOf, yearStart }: NarrativeInput): string[] {
  const out: string[] = [];
  const pct = (x: number) => percent(x, lang);
  const n = valueOf(s.customers);
  const tiers = s.tiers.map((t) => ({ key: t.tier, n: valueOf(t.n), nShare: valueOf(t.nShare) }));
  const bottom = tiers[0];
  const mhN = valueOf(s.midHigh.nShare);

  // 1. Size and the shape of the pyramid.
  if (n !== null && bottom?.nShare != null && mhN !== null) {
    const counts = tiers.map((t) => t.n);
    const pyramid = counts.every((c) => c !== null) && counts.every((c, i) => i === 0 || (c as number) < (counts[i - 1] as number));
    const start = yearStart ? valueOf(yearStart.customers) : null;
    const net = start !== null ? n - start : null;
    const bottomLabel = tierLabel(meta, bottom.key, lang);
    out.push(
      L(
        lang,
        `截至${date(asOf, lang)}，全行共有客户${count(n, lang)}户${net !== null ? `，较年初${net === 0 ? '持平' : `净${net > 0 ? '增' : '减'}${count(Math.abs(net), lang)}户`}` : ''}；其中${bottomLabel}占${pct(bottom.nShare)}，中高端客户占${pct(mhN)}${pyramid ? '，客户数随等级上升逐级递减，呈典型的金字塔结构' : ''}。`,
        `As of ${date(asOf, lang)} the bank serves ${count(n, lang)} customers${net !== null ? (net === 0 ? ', unchanged since the start of the year' : `, a net ${net > 0 ? 'gain' : 'loss'} of ${count(Math.abs(net), lang)} since the start of the year`) : ''}; ${pct(bottom.nShare)} are ${bottomLabel.toLowerCase()} and ${pct(mhN)} mid-high${pyramid ? ', with fewer customers in each tier up — a classic pyramid' : ''}.`,
      ),
    );
  }

  // 2. The inversion of count share and asset share.
  const mhA = valueOf(s.midHigh.aumShare);
  const mhD = valueOf(s.midHigh.depositsShare);
  if (mhN !== null && mhA !== null && compareShares(mhA, mhN, lang) > 0) {
    const top = s.tiers.at(-1);
    const idx = top ? valueOf(top.contributionIndex) : null;
    const topLabel = top ? tierLabel(meta, top.tier, lang) : '';
    out.push(
      L(
        lang,
        `客户数与资产分布明显倒挂：中高端客户以${pct(mhN)}的客户数持有${pct(mhA)}的金融资产${mhD !== null ? `和${pct(mhD)}的存款` : ''}${idx !== null ? `，${topLabel}户均金融资产是全部客户户均的${multiple(idx, lang)}` : ''}。`,
        `Counts and assets are inverted: mid-high customers are ${pct(mhN)} of customers but hold ${pct(mhA)} of assets${mhD !== null ? ` and ${pct(mhD)} of deposits` : ''}${idx !== null ? `; the average ${topLabel.toLowerCase()} customer holds ${multiple(idx, lang)} the average customer’s assets` : ''}.`,
      ),
    );
  }

  // 3. The 80/20 check.
  const c = s.concentration.aum;
  const p80 = valueOf(c.point80);
  if (c.withheld === null && p80 !== null) {
    const cmp = compareShares(p80, 0.2, lang);
    const top5 = valueOf(c.top5);
    out.push(
      L(
        lang,
        `资产集中度${cmp < 0 ? '高' : cmp > 0 ? '低' : '恰'}于“二八”：80%的金融资产集中在${pct(p80)}的客户手中${top5 !== null ? `，前5%的客户持有${pct(top5)}的金融资产` : ''}。`,
        `Assets are ${cmp < 0 ? 'more concentrated than' : cmp > 0 ? 'less concentrated than' : 'exactly at'} the 80/20 rule: 80% of assets sit with ${pct(p80)} of customers${top5 !== null ? `, and the top 5% hold ${pct(top5)}` : ''}.`,
      ),
    );
  }

  // 4. Migration balance over the headline period (pooled over tiers, gross).
  if (period) {
    const up = valueOf(period.pooled.all.gross.up);
    const down = valueOf(period.pooled.all.gross.down);
    const mhUp = valueOf(period.pooled.midHigh.gross.up);
    const mhDown = valueOf(period.pooled.midHigh.gross.down);
    if (up !== null && down !== null) {
      const cmp = compareShares(up, down, lang);
      out.push(
        L(
          lang,
          `年初以来，全部客户向上迁徙率为${pct(up)}，向下迁徙率为${pct(down)}，${cmp > 0 ? '升级客户多于降级客户' : cmp < 0 ? '降级客户多于升级客户' : '升降基本持平'}${mhUp !== null && mhDown !== null ? `；中高端客户向上${pct(mhUp)}、向下${pct(mhDown)}` : ''}（毛口径，分母含流失客户）。`,
          `Since the start of the year ${pct(up)} of customers moved up a tier and ${pct(down)} moved down, ${cmp > 0 ? 'so upgrades outnumber downgrades' : cmp < 0 ? 'so downgrades outnumber upgrades' : 'so the two are level'}${mhUp !== null && mhDown !== null ? `; among mid-high customers ${pct(mhUp)} moved up and ${pct(mhDown)} down` : ''} (gross rates: lost customers stay in the denominator).`,
        ),
      );
    }

    // 5. New-customer mix vs the stock.
    const m = period.newMix;
    const total = valueOf(m.total);
    const a = valueOf(m.midHighShare);
    const b = valueOf(m.stockMidHighShare);
    if (total !== null && a !== null && b !== null) {
      const cmp = compareShares(a, b, lang);
      out.push(
        L(
          lang,
          `年初以来新增客户${count(total, lang)}户，其中中高端客户占${pct(a)}，${cmp > 0 ? '高于' : cmp < 0 ? '低于' : '与'}存量客户的${pct(b)}${cmp === 0 ? '持平' : `（${points(a - b, lang)}）`}，${cmp > 0 ? '新增客户结构优于存量' : cmp < 0 ? '新增客户结构弱于存量' : '新增与存量结构相当'}。`,
          `The bank gained ${count(total, lang)} new customers since the start of the year; ${pct(a)} of them are mid-high, ${cmp > 0 ? 'above' : cmp < 0 ? 'below' : 'in line with'} the stock’s ${pct(b)}${cmp === 0 ? '' : ` (${points(a - b, lang)})`}.`,
        ),
      );
    }
  }
  return out;
}
