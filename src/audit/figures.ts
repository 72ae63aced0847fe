// Reads the published JSON into (a) every rendering of every figure, under the
// canonical key of the value it shows (keys.ts), with the customer group it
// describes, and (b) the relations between those values that a reader can use
// against them: the sums of each table, branches vs bank, matrix vs margins, the
// tier and asset bridges, and ratios (a share and its denominator give the
// numerator back). Written from the JSON's structure (src/schema/output.ts), not
// from the pipeline's registry, so a relation the pipeline forgot is still seen.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { flowKey, scopeOf, snapKey } from './keys.ts';

export type Status = 'num' | 'null' | 'suppressed';

export interface Figure {
  /** Canonical key of the value: a group key + "|" + field. */
  key: string;
  /** Customer group described (small-cell check); null for figures without one. */
  group: string | null;
  file: string;
  loc: string;
  status: Status;
  value: number | null;
}

/** total = Σ members (sum), num = ratio × den (ratio), or any one of the terms given the others (fn). */
export type Relation =
  | { kind: 'sum'; name: string; total: string; members: string[]; /** +1 or −1 per member; all +1 when absent. */ signs?: number[] }
  | { kind: 'ratio'; name: string; num: string; ratio: string; den: string }
  | { kind: 'fn'; name: string; terms: string[] };

export interface Published {
  figures: Figure[];
  relations: Relation[];
  meta: any;
  files: string[];
  /** The parsed period files by id (the CSV mapping reads their row order). */
  periods: Map<string, any>;
}

const statusOf = (v: unknown): Status => (typeof v === 'number' ? 'num' : v === null ? 'null' : 'suppressed');

export async function readPublished(jsonDir: string): Promise<Published> {
  const read = async (rel: string) => JSON.parse(await readFile(path.join(jsonDir, rel), 'utf8'));
  const meta = await read('meta.json');
  const figures: Figure[] = [];
  const relations: Relation[] = [];
  const files: string[] = ['meta.json'];
  const periods = new Map<string, any>();
  const tiers: string[] = meta.tiers.map((t: any) => t.key);
  const T = tiers.map((_, i) => i);
  const from = Math.max(0, meta.tiers.findIndex((t: any) => t.midHigh));
  const bandsOf = (t: number): string[] => meta.tiers[t].subBands.map((b: any) => b.key);
  const branches: string[] = meta.branches.map((b: any) => b.code);
  const scopes = [null, ...branches].map(scopeOf);
  const put = (file: string, loc: string, key: string, group: string | null, v: unknown) =>
    figures.push({ key, group, file, loc, status: statusOf(v), value: typeof v === 'number' ? v : null });
  const sum = (name: string, total: string, members: string[], signs?: number[]) =>
    members.length && relations.push({ kind: 'sum', name, total, members, ...(signs ? { signs } : {}) });
  const ratio = (name: string, num: string, r: string, den: string) => relations.push({ kind: 'ratio', name, num, ratio: r, den });
  const label = (scope: string) => (scope === '*' ? 'bank' : scope.slice(2));

  // ── snapshots ──────────────────────────────────────────────────────────────
  for (const date of meta.snapshots as string[]) {
    const file = `snapshots/${date}.json`;
    files.push(file);
    const snap = await read(file);
    for (const sc of snap.scopes) {
      const scope = scopeOf(sc.branch);
      const at = (loc: string) => `scopes[${sc.branch ?? 'bank'}].${loc}`;
      const g = (part: string) => snapKey(date, scope, part);
      const amounts = (part: string, obj: any, loc: string) => {
        for (const f of ['n', 'aum', 'deposits', 'nShare', 'aumShare', 'depositsShare', 'avgAum', 'avgDeposits'])
          if (f in obj) put(file, at(`${loc}.${f}`), `${g(part)}|${f}`, g(part), obj[f]);
      };
      put(file, at('customers'), `${g('total')}|n`, g('total'), sc.customers);
      put(file, at('aum'), `${g('total')}|aum`, g('total'), sc.aum);
      put(file, at('deposits'), `${g('total')}|deposits`, g('total'), sc.deposits);
      put(file, at('avgAum'), `${g('total')}|avgAum`, g('total'), sc.avgAum);
      put(file, at('avgDeposits'), `${g('total')}|avgDeposits`, g('total'), sc.avgDeposits);
      for (const t of sc.tiers) {
        amounts(t.tier, t, `tiers[${t.tier}]`);
        put(file, at(`tiers[${t.tier}].contributionIndex`), `${g(t.tier)}|ci`, g(t.tier), t.contributionIndex);
        for (const b of t.subBands) amounts(b.band, b, `tiers[${t.tier}].subBands[${b.band}]`);
      }
      amounts('midhigh', sc.midHigh, 'midHigh');
      for (const m of ['aum', 'deposits'])
        for (const f of ['gini', 'top1', 'top5', 'top10', 'top20', 'point80'])
          put(file, at(`concentration.${m}.${f}`), `${g('total')}|conc:${m}:${f}`, g('total'), sc.concentration[m][f]);
    }
    // Relations of the snapshot tables, per scope and measure, and branches vs bank.
    const parts = ['total', 'midhigh', ...tiers, ...T.flatMap(bandsOf)];
    for (const scope of scopes) {
      const g = (part: string) => snapKey(date, scope, part);
      const where = `snapshot ${date} ${label(scope)}`;
      for (const m of ['n', 'aum', 'deposits']) {
        sum(`${where}: total ${m} = Σ tiers`, `${g('total')}|${m}`, tiers.map((k) => `${g(k)}|${m}`));
        sum(`${where}: mid-high ${m} = Σ its tiers`, `${g('midhigh')}|${m}`, tiers.slice(from).map((k) => `${g(k)}|${m}`));
        T.forEach((t) => sum(`${where}: ${tiers[t]} ${m} = Σ sub-bands`, `${g(tiers[t]!)}|${m}`, bandsOf(t).map((b) => `${g(b)}|${m}`)));
      }
      for (const part of parts) {
        for (const m of ['n', 'aum', 'deposits']) ratio(`${where}: ${part} ${m} share`, `${g(part)}|${m}`, `${g(part)}|${m === 'n' ? 'nShare' : `${m}Share`}`, `${g('total')}|${m}`);
        ratio(`${where}: ${part} average aum`, `${g(part)}|aum`, `${g(part)}|avgAum`, `${g(part)}|n`);
        ratio(`${where}: ${part} average deposits`, `${g(part)}|deposits`, `${g(part)}|avgDeposits`, `${g(part)}|n`);
      }
      for (const k of tiers)
        relations.push({ kind: 'fn', name: `${where}: ${k} contribution index`, terms: [`${g(k)}|ci`, `${g(k)}|aum`, `${g(k)}|n`, `${g('total')}|aum`, `${g('total')}|n`] });
    }
    for (const part of parts)
      for (const m of ['n', 'aum', 'deposits'])
        sum(`snapshot ${date}: bank ${part} ${m} = Σ branches`, `${snapKey(date, '*', part)}|${m}`, branches.map((b) => `${snapKey(date, scopeOf(b), part)}|${m}`));
  }

  // ── periods ────────────────────────────────────────────────────────────────
  for (const period of meta.periods as { id: string; start: string; end: string }[]) {
    const file = `periods/${period.id}.json`;
    files.push(file);
    const pf = await read(file);
    periods.set(period.id, pf);
    for (const sc of pf.scopes) {
      const scope = scopeOf(sc.branch);
      const at = (loc: string) => `scopes[${sc.branch ?? 'bank'}].${loc}`;
      const fk = (name: string) => flowKey(period.id, scope, name);
      const ti = (k: string) => tiers.indexOf(k);
      const start = (t: number) => `${snapKey(period.start, scope, tiers[t]!)}|n`;
      const end = (t: number) => `${snapKey(period.end, scope, tiers[t]!)}|n`;
      sc.transitions.forEach((x: any, i: number) => {
        const a = ti(x.from);
        const b = ti(x.to);
        const grp = a >= 0 && b >= 0 ? fk(`M|${a}|${b}`) : a >= 0 ? fk(`${x.to === 'lost' ? 'lost' : 'tout'}|${a}`) : fk(`${x.from === 'new' ? 'new' : 'tin'}|${b}`);
        const loc = at(`transitions[${i}](${x.from}→${x.to})`);
        put(file, `${loc}.n`, `${grp}|n`, grp, x.n);
        if (x.grossShare !== null || a >= 0) put(file, `${loc}.grossShare`, `${grp}|gross`, grp, x.grossShare);
        if (a >= 0 && b >= 0) put(file, `${loc}.adjustedShare`, `${grp}|adj`, grp, x.adjustedShare);
      });
      const terms: [string, string][] = [['new', 'new'], ['inUp', 'inUp'], ['inDown', 'inDown'], ['outUp', 'outUp'], ['outDown', 'outDown'], ['lost', 'lost'], ['transferIn', 'tin'], ['transferOut', 'tout']];
      for (const tf of sc.tiers) {
        const t = ti(tf.tier);
        const loc = (f: string) => at(`tiers[${tf.tier}].${f}`);
        put(file, loc('start'), start(t), snapKey(period.start, scope, tf.tier), tf.start);
        put(file, loc('end'), end(t), snapKey(period.end, scope, tf.tier), tf.end);
        for (const [f, name] of terms) put(file, loc(f), `${fk(`${name}|${t}`)}|n`, fk(`${name}|${t}`), tf[f]);
        put(file, loc('netChange'), fk(`net|${t}`), null, tf.netChange);
        const rate = (basis: 'gross' | 'adjusted', f: string, name: string) => {
          if (tf.rates[basis][f] === undefined) return;
          put(file, loc(`rates.${basis}.${f}`), `${fk(name)}|${basis === 'gross' ? 'gross' : 'adj'}`, fk(name), tf.rates[basis][f]);
        };
        for (const basis of ['gross', 'adjusted'] as const) {
          rate(basis, 'up', `outUp|${t}`);
          rate(basis, 'down', `outDown|${t}`);
          rate(basis, 'stay', `M|${t}|${t}`);
        }
        rate('gross', 'loss', `lost|${t}`);
        if (sc.branch !== null) rate('gross', 'transferOut', `tout|${t}`);
      }
      for (const [grp, obj] of [['all', sc.pooled.all], ['midhigh', sc.pooled.midHigh]] as const) {
        const pk = (term: string) => fk(`pool|${grp}|${term}`);
        const map: [string, string][] = [['up', 'outUp'], ['down', 'outDown'], ['stay', 'stay'], ['loss', 'lost'], ['transferOut', 'tout']];
        for (const [f, term] of map) {
          if (obj.gross[f] !== undefined && (f !== 'transferOut' || sc.branch !== null)) put(file, at(`pooled.${grp}.gross.${f}`), `${pk(term)}|gross`, pk(term), obj.gross[f]);
          if (obj.adjusted[f] !== undefined) put(file, at(`pooled.${grp}.adjusted.${f}`), `${pk(term)}|adj`, pk(term), obj.adjusted[f]);
        }
      }
      put(file, at('mobility'), fk('mobility'), null, sc.mobility);
      const ab = sc.assetBridge;
      put(file, at('assetBridge.start'), `${snapKey(period.start, scope, 'total')}|aum`, snapKey(period.start, scope, 'total'), ab.start);
      put(file, at('assetBridge.end'), `${snapKey(period.end, scope, 'total')}|aum`, snapKey(period.end, scope, 'total'), ab.end);
      put(file, at('assetBridge.lost'), `${fk('lost|total')}|aum`, fk('lost|total'), ab.lost);
      put(file, at('assetBridge.new'), `${fk('new|total')}|aum`, fk('new|total'), ab.new);
      put(file, at('assetBridge.transferIn'), `${fk('tin|total')}|aum`, fk('tin|total'), ab.transferIn);
      put(file, at('assetBridge.transferOut'), `${fk('tout|total')}|aum`, fk('tout|total'), ab.transferOut);
      for (const c of ab.retainedChange) put(file, at(`assetBridge.retainedChange[${c.tier}]`), `${fk(`retained|${ti(c.tier)}`)}|aumChange`, fk(`retained|${ti(c.tier)}`), c.change);
      const nm = sc.newMix;
      put(file, at('newMix.total'), `${fk('new|total')}|n`, fk('new|total'), nm.total);
      for (const x of nm.tiers) {
        const t = ti(x.tier);
        put(file, at(`newMix.tiers[${x.tier}].n`), `${fk(`new|${t}`)}|n`, fk(`new|${t}`), x.n);
        put(file, at(`newMix.tiers[${x.tier}].share`), `${fk(`new|${t}`)}|share`, fk(`new|${t}`), x.share);
        put(file, at(`newMix.tiers[${x.tier}].stockShare`), `${snapKey(period.end, scope, x.tier)}|nShare`, snapKey(period.end, scope, x.tier), x.stockShare);
      }
      put(file, at('newMix.midHighShare'), `${fk('new|midhigh')}|share`, fk('new|midhigh'), nm.midHighShare);
      put(file, at('newMix.stockMidHighShare'), `${snapKey(period.end, scope, 'midhigh')}|nShare`, snapKey(period.end, scope, 'midhigh'), nm.stockMidHighShare);
      if (nm.openedInPeriod !== null) put(file, at('newMix.openedInPeriod'), `${fk('opened')}|n`, fk('opened'), nm.openedInPeriod);
      if (nm.reappearing !== null) put(file, at('newMix.reappearing'), `${fk('reappearing')}|n`, fk('reappearing'), nm.reappearing);
    }

    // Relations of the period tables, per scope.
    for (const scope of scopes) {
      const fk = (name: string) => flowKey(period.id, scope, name);
      const n = (name: string) => `${fk(name)}|n`;
      const start = (part: string) => `${snapKey(period.start, scope, part)}|n`;
      const end = (part: string) => `${snapKey(period.end, scope, part)}|n`;
      const where = `period ${period.id} ${label(scope)}`;
      for (const t of T) {
        const k = tiers[t]!;
        sum(`${where}: ${k} start = row + lost + transfers out`, start(k), [...T.map((b) => n(`M|${t}|${b}`)), n(`lost|${t}`), n(`tout|${t}`)]);
        sum(`${where}: ${k} end = column + new + transfers in`, end(k), [...T.map((a) => n(`M|${a}|${t}`)), n(`new|${t}`), n(`tin|${t}`)]);
        sum(`${where}: ${k} retained = row`, n(`retained|${t}`), T.map((b) => n(`M|${t}|${b}`)));
        sum(`${where}: ${k} moved up = row right of diagonal`, n(`outUp|${t}`), T.filter((b) => b > t).map((b) => n(`M|${t}|${b}`)));
        sum(`${where}: ${k} moved down = row left of diagonal`, n(`outDown|${t}`), T.filter((b) => b < t).map((b) => n(`M|${t}|${b}`)));
        sum(`${where}: ${k} in from below = column above diagonal`, n(`inUp|${t}`), T.filter((a) => a < t).map((a) => n(`M|${a}|${t}`)));
        sum(`${where}: ${k} in from above = column below diagonal`, n(`inDown|${t}`), T.filter((a) => a > t).map((a) => n(`M|${a}|${t}`)));
        // end = start + new + in from below + in from above − out up − out down − lost + transfers in − transfers out
        sum(`${where}: ${k} tier bridge`, end(k), [start(k), ...['new', 'inUp', 'inDown', 'outUp', 'outDown', 'lost', 'tin', 'tout'].map((x) => n(`${x}|${t}`))], [1, 1, 1, 1, -1, -1, -1, 1, -1]);
        sum(`${where}: ${k} net change = end − start`, fk(`net|${t}`), [end(k), start(k)], [1, -1]);
        for (const b of T) {
          ratio(`${where}: gross share ${k}→${tiers[b]}`, n(`M|${t}|${b}`), `${fk(`M|${t}|${b}`)}|gross`, start(k));
          ratio(`${where}: adjusted share ${k}→${tiers[b]}`, n(`M|${t}|${b}`), `${fk(`M|${t}|${b}`)}|adj`, n(`retained|${t}`));
        }
        for (const x of ['lost', 'tout', 'outUp', 'outDown']) ratio(`${where}: ${k} ${x} rate (gross)`, n(`${x}|${t}`), `${fk(`${x}|${t}`)}|gross`, start(k));
        for (const x of ['outUp', 'outDown']) ratio(`${where}: ${k} ${x} rate (adjusted)`, n(`${x}|${t}`), `${fk(`${x}|${t}`)}|adj`, n(`retained|${t}`));
        ratio(`${where}: new ${k} share of new`, n(`new|${t}`), `${fk(`new|${t}`)}|share`, n('new|total'));
      }
      for (const x of ['new', 'lost', 'tin', 'tout']) sum(`${where}: ${x} total = Σ tiers`, n(`${x}|total`), T.map((t) => n(`${x}|${t}`)));
      sum(`${where}: new mid-high = Σ its tiers`, n('new|midhigh'), T.filter((t) => t >= from).map((t) => n(`new|${t}`)));
      ratio(`${where}: new mid-high share`, n('new|midhigh'), `${fk('new|midhigh')}|share`, n('new|total'));
      sum(`${where}: new = opened + reappearing + undated`, n('new|total'), [n('opened'), n('reappearing'), n('undated')]);
      sum(`${where}: net change = end − start customers`, fk('net|total'), [end('total'), start('total')], [1, -1]);
      for (const [grp, members, den] of [['all', T, 'total'], ['midhigh', T.filter((t) => t >= from), 'midhigh']] as const) {
        const pk = (x: string) => n(`pool|${grp}|${x}`);
        for (const x of ['outUp', 'outDown', 'lost', 'tout', 'retained']) sum(`${where}: pooled ${grp} ${x} = Σ tiers`, pk(x), members.map((t) => n(`${x}|${t}`)));
        sum(`${where}: pooled ${grp} stay = Σ diagonal`, pk('stay'), members.map((t) => n(`M|${t}|${t}`)));
        sum(`${where}: pooled ${grp} retained = stay + up + down`, pk('retained'), [pk('stay'), pk('outUp'), pk('outDown')]);
        sum(`${where}: pooled ${grp} start = retained + lost + transfers out`, start(den), [pk('retained'), pk('lost'), pk('tout')]);
        for (const x of ['outUp', 'outDown', 'stay', 'lost', 'tout']) ratio(`${where}: pooled ${grp} ${x} rate (gross)`, pk(x), `${fk(`pool|${grp}|${x}`)}|gross`, start(den));
        for (const x of ['outUp', 'outDown', 'stay']) ratio(`${where}: pooled ${grp} ${x} rate (adjusted)`, pk(x), `${fk(`pool|${grp}|${x}`)}|adj`, pk('retained'));
      }
      const aum = (name: string) => `${fk(name)}|aum`;
      sum(`${where}: asset bridge`, `${snapKey(period.end, scope, 'total')}|aum`, [
        `${snapKey(period.start, scope, 'total')}|aum`,
        aum('lost|total'),
        aum('new|total'),
        aum('tin|total'),
        aum('tout|total'),
        ...T.map((t) => `${fk(`retained|${t}`)}|aumChange`),
      ], [1, -1, 1, 1, -1, ...T.map(() => 1)]);
    }
    const bank = (name: string) => `${flowKey(period.id, '*', name)}`;
    const br = (name: string) => branches.map((b) => flowKey(period.id, scopeOf(b), name));
    for (const t of T)
      for (const x of ['new', 'lost']) sum(`period ${period.id}: bank ${x} ${tiers[t]} = Σ branches`, `${bank(`${x}|${t}`)}|n`, br(`${x}|${t}`).map((k) => `${k}|n`));
    sum(`period ${period.id}: bank new = Σ branches`, `${bank('new|total')}|n`, br('new|total').map((k) => `${k}|n`));
    // A customer the bank retains stays in one branch (that branch's matrix) or moves
    // between branches: bank a→b = Σ branches' a→b + the a→b movers between branches,
    // a count no file shows (an unknown to the reader, but a real one).
    for (const a of T)
      for (const b of T)
        sum(`period ${period.id}: bank ${tiers[a]}→${tiers[b]} = Σ branches + movers between branches`, `${bank(`M|${a}|${b}`)}|n`, [
          ...br(`M|${a}|${b}`).map((k) => `${k}|n`),
          `${bank(`movers|${a}|${b}`)}|n`,
        ]);
    for (const x of ['new', 'lost']) sum(`period ${period.id}: bank ${x} aum = Σ branches`, `${bank(`${x}|total`)}|aum`, br(`${x}|total`).map((k) => `${k}|aum`));
  }

  // ── series.json: renderings of the same values ──────────────────────────────
  files.push('series.json');
  const series = await read('series.json');
  const file = 'series.json';
  for (const sc of series.scopes) {
    const scope = scopeOf(sc.branch);
    const at = (loc: string) => `scopes[${sc.branch ?? 'bank'}].${loc}`;
    for (const s of sc.snapshots) {
      const g = (part: string) => snapKey(s.date, scope, part);
      const loc = (f: string) => at(`snapshots[${s.date}].${f}`);
      put(file, loc('customers'), `${g('total')}|n`, g('total'), s.customers);
      put(file, loc('aum'), `${g('total')}|aum`, g('total'), s.aum);
      put(file, loc('deposits'), `${g('total')}|deposits`, g('total'), s.deposits);
      put(file, loc('midHighN'), `${g('midhigh')}|n`, g('midhigh'), s.midHighN);
      put(file, loc('midHighShare'), `${g('midhigh')}|nShare`, g('midhigh'), s.midHighShare);
      put(file, loc('midHighAumShare'), `${g('midhigh')}|aumShare`, g('midhigh'), s.midHighAumShare);
      put(file, loc('midHighDepositsShare'), `${g('midhigh')}|depositsShare`, g('midhigh'), s.midHighDepositsShare);
      put(file, loc('giniAum'), `${g('total')}|conc:aum:gini`, g('total'), s.giniAum);
      put(file, loc('giniDeposits'), `${g('total')}|conc:deposits:gini`, g('total'), s.giniDeposits);
      put(file, loc('top1Aum'), `${g('total')}|conc:aum:top1`, g('total'), s.top1Aum);
      put(file, loc('point80Aum'), `${g('total')}|conc:aum:point80`, g('total'), s.point80Aum);
    }
    for (const p of sc.periods) {
      const fk = (name: string) => flowKey(p.id, scope, name);
      const loc = (f: string) => at(`periods[${p.id}].${f}`);
      put(file, loc('netChange'), fk('net|total'), null, p.netChange);
      put(file, loc('new'), `${fk('new|total')}|n`, fk('new|total'), p.new);
      put(file, loc('lost'), `${fk('lost|total')}|n`, fk('lost|total'), p.lost);
      put(file, loc('up'), `${fk('pool|all|outUp')}|gross`, fk('pool|all|outUp'), p.up);
      put(file, loc('down'), `${fk('pool|all|outDown')}|gross`, fk('pool|all|outDown'), p.down);
      put(file, loc('loss'), `${fk('pool|all|lost')}|gross`, fk('pool|all|lost'), p.loss);
      put(file, loc('midHighUp'), `${fk('pool|midhigh|outUp')}|gross`, fk('pool|midhigh|outUp'), p.midHighUp);
      put(file, loc('midHighDown'), `${fk('pool|midhigh|outDown')}|gross`, fk('pool|midhigh|outDown'), p.midHighDown);
      put(file, loc('mobility'), fk('mobility'), null, p.mobility);
      put(file, loc('newMidHighShare'), `${fk('new|midhigh')}|share`, fk('new|midhigh'), p.newMidHighShare);
      put(file, loc('stockMidHighShare'), `${snapKey(p.end, scope, 'midhigh')}|nShare`, snapKey(p.end, scope, 'midhigh'), p.stockMidHighShare);
    }
  }
  return { figures, relations, meta, files, periods };
}
