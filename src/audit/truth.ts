// The true customer count of every cell the report publishes, and the row-level
// amounts of the customers in small cells (1 … minCell − 1), computed from the
// audit's own `snap` table (inputs.ts). Cell keys are the audit's canonical keys
// (keys.ts), shared with the reading of the published JSON.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config } from '../lib/config.ts';
import { flowKey, scopeOf, snapKey } from './keys.ts';
import { lit } from './sql.ts';

export interface Truth {
  /** Customer-group key → true number of customers. */
  counts: Map<string, number>;
  /** Groups with 1 … minCell − 1 customers. */
  small: Set<string>;
  /** |amount| in fen of one customer in a small group → the small groups holding a customer with it. */
  amounts: Map<number, string[]>;
}

interface PeriodRef {
  id: string;
  start: string;
  end: string;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function record(truth: Truth, minCell: number, key: string, n: number, amounts: () => number[]) {
  truth.counts.set(key, n);
  if (n > 0 && n < minCell) {
    truth.small.add(key);
    for (const a of amounts()) {
      const list = truth.amounts.get(Math.abs(a));
      if (!list) truth.amounts.set(Math.abs(a), [key]);
      else if (!list.includes(key)) list.push(key);
    }
  }
}

export async function computeTruth(conn: DuckDBConnection, config: Config, dates: string[], periods: PeriodRef[]): Promise<Truth> {
  const truth: Truth = { counts: new Map(), small: new Set(), amounts: new Map() };
  const minCell = config.privacy.minCell;
  const tiers = config.tiers.map((t) => t.key);
  const bandKeys = config.tiers.flatMap((t) => (t.subBands ?? []).map((b) => b.key));
  const from = Math.max(0, tiers.indexOf(config.midHighFrom));

  for (const date of dates) {
    // Groups of (branch, tier, band); a small cell is made of small groups only, so
    // the rows of small groups hold every member of every small cell.
    const groups = (await conn.runAndReadAll(`SELECT br, tier, band, count(*) FROM snap WHERE date = ${lit(date)} GROUP BY ALL`)).getRows();
    const rows = (
      await conn.runAndReadAll(
        `SELECT br, tier, band, a, d FROM snap WHERE date = ${lit(date)} QUALIFY count(*) OVER (PARTITION BY br, tier, band) < ${minCell}`,
      )
    ).getRows();
    const branches = [...new Set(groups.map((g) => String(g[0])))];
    for (const scope of [null, ...branches]) {
      const inScope = (br: unknown) => scope === null || br === scope;
      const parts: [string, (t: number, b: number) => boolean][] = [
        ...tiers.map((k, t) => [k, (tt: number) => tt === t] as [string, (t: number, b: number) => boolean]),
        ...bandKeys.map((k, b) => [k, (_t: number, bb: number) => bb === b] as [string, (t: number, b: number) => boolean]),
        ['midhigh', (t) => t >= from],
        ['total', () => true],
      ];
      for (const [part, has] of parts) {
        const n = groups.filter((g) => inScope(g[0]) && has(Number(g[1]), Number(g[2]))).reduce((s, g) => s + Number(g[3]), 0);
        record(truth, minCell, snapKey(date, scopeOf(scope), part), n, () =>
          rows.filter((r) => inScope(r[0]) && has(Number(r[1]), Number(r[2]))).flatMap((r) => [Number(r[3]), Number(r[4])]),
        );
      }
    }
  }

  for (const p of periods) {
    // One row per (start branch, end branch, start tier, end tier, opened class); NULL = absent.
    const sql = (cols: string, extra: string) => `
      WITH s AS (SELECT * FROM snap WHERE date = ${lit(p.start)}), e AS (SELECT * FROM snap WHERE date = ${lit(p.end)}),
      j AS (SELECT s.br AS fb, e.br AS tb, s.tier AS ft, e.tier AS tt, s.a AS sa, s.d AS sd, e.a AS ea, e.d AS ed,
              CASE WHEN s.id IS NULL AND e.od IS NOT NULL THEN (CASE WHEN e.od > DATE ${lit(p.start)} THEN 'opened' ELSE 'reappearing' END) END AS oc
            FROM s FULL OUTER JOIN e ON s.id = e.id)
      ${cols} FROM j ${extra}`;
    const groups = (await conn.runAndReadAll(sql('SELECT fb, tb, ft, tt, oc, count(*)', 'GROUP BY ALL'))).getRows();
    const rows = (
      await conn.runAndReadAll(
        sql(
          'SELECT fb, tb, ft, tt, oc, sa, sd, ea, ed',
          `QUALIFY count(*) OVER (PARTITION BY fb, tb, ft, tt, oc) < ${minCell}`,
        ),
      )
    ).getRows();
    const branches = [...new Set(groups.flatMap((g) => [g[0], g[1]]).filter((b) => b !== null).map(String))];
    type G = { fb: string | null; tb: string | null; ft: number | null; tt: number | null; oc: string | null };
    const asG = (r: unknown[]): G => ({ fb: r[0] === null ? null : String(r[0]), tb: r[1] === null ? null : String(r[1]), ft: num(r[2]), tt: num(r[3]), oc: r[4] === null ? null : String(r[4]) });
    for (const scope of [null, ...branches]) {
      const here = (b: string | null) => b !== null && (scope === null || b === scope);
      // Base cells; every derived cell below is a union of them.
      const base: Record<string, (g: G) => boolean> = {};
      tiers.forEach((_, a) => {
        tiers.forEach((_, b) => (base[`M|${a}|${b}`] = (g) => here(g.fb) && here(g.tb) && g.ft === a && g.tt === b));
        base[`new|${a}`] = (g) => g.fb === null && here(g.tb) && g.tt === a;
        base[`lost|${a}`] = (g) => here(g.fb) && g.tb === null && g.ft === a;
        base[`tin|${a}`] = (g) => scope !== null && g.fb !== null && g.fb !== scope && g.tb === scope && g.tt === a;
        base[`tout|${a}`] = (g) => scope !== null && g.fb === scope && g.tb !== null && g.tb !== scope && g.ft === a;
      });
      const T = tiers.map((_, t) => t);
      const cells: Record<string, string[]> = {};
      for (const k of Object.keys(base)) cells[k] = [k];
      for (const t of T) {
        cells[`outUp|${t}`] = T.filter((b) => b > t).map((b) => `M|${t}|${b}`);
        cells[`outDown|${t}`] = T.filter((b) => b < t).map((b) => `M|${t}|${b}`);
        cells[`inUp|${t}`] = T.filter((a) => a < t).map((a) => `M|${a}|${t}`);
        cells[`inDown|${t}`] = T.filter((a) => a > t).map((a) => `M|${a}|${t}`);
        cells[`retained|${t}`] = T.map((b) => `M|${t}|${b}`);
      }
      for (const term of ['new', 'lost', 'tin', 'tout'] as const) cells[`${term}|total`] = T.map((t) => `${term}|${t}`);
      cells['new|midhigh'] = T.filter((t) => t >= from).map((t) => `new|${t}`);
      for (const [group, members] of [['all', T], ['midhigh', T.filter((t) => t >= from)]] as const) {
        for (const term of ['outUp', 'outDown', 'retained'] as const) cells[`pool|${group}|${term}`] = members.flatMap((t) => cells[`${term}|${t}`]!);
        for (const term of ['lost', 'tout'] as const) cells[`pool|${group}|${term}`] = members.map((t) => `${term}|${t}`);
        cells[`pool|${group}|stay`] = members.map((t) => `M|${t}|${t}`);
      }
      const inBase = (names: string[], g: G) => names.some((k) => base[k]!(g));
      for (const [name, names] of Object.entries(cells)) {
        const n = groups.filter((r) => inBase(names, asG(r))).reduce((s, r) => s + Number(r[5]), 0);
        record(truth, minCell, flowKey(p.id, scopeOf(scope), name), n, () =>
          rows.filter((r) => inBase(names, asG(r))).flatMap((r) => [r[5], r[6], r[7], r[8]].filter((x) => x !== null).map(Number)),
        );
      }
      for (const oc of ['opened', 'reappearing']) {
        const isNew = (g: G) => g.fb === null && here(g.tb) && g.oc === oc;
        const n = groups.filter((r) => isNew(asG(r))).reduce((s, r) => s + Number(r[5]), 0);
        record(truth, minCell, flowKey(p.id, scopeOf(scope), oc), n, () =>
          rows.filter((r) => isNew(asG(r))).flatMap((r) => [Number(r[7]), Number(r[8])]),
        );
      }
    }
  }
  return truth;
}
