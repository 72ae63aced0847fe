// npm run suppression:stats -- --json DIR [--truth DIR]
// How much disclosure control withholds in a published JSON folder: base figures
// (counts and amounts, not the shares and rates derived from them) withheld, by
// scope level and table, and the bank's transition cells (the matrix with new and
// lost, 35 a period with five tiers). With --truth (the same data run with
// privacy {minCell: 1, pPercent: 0}, which withholds nothing) it also lists the
// bank's withheld transition cells of the mid-high rows holding ≥ 100 customers.
import { parseArgs } from 'node:util';
import { readPublished, type Figure } from '../src/audit/figures.ts';

const { values: args } = parseArgs({ options: { json: { type: 'string', default: 'public/data' }, truth: { type: 'string' }, solve: { type: 'boolean' } } });

const pub = await readPublished(args.json!);
/** One status per value: withheld if any rendering withholds it. */
const byKey = new Map<string, Figure>();
for (const f of pub.figures) if (!byKey.has(f.key) || f.status === 'suppressed') byKey.set(f.key, f);

const base = /\|(n|aum|deposits|aumChange)$/;
const rows = new Map<string, { all: number; withheld: number }>();
const count = (label: string, withheld: boolean) => {
  const r = rows.get(label) ?? { all: 0, withheld: 0 };
  r.all++;
  if (withheld) r.withheld++;
  rows.set(label, r);
};
const tierKeys: string[] = pub.meta.tiers.map((t: { key: string }) => t.key);
const kindOf = (key: string): string => {
  const [table, , , ...rest] = key.split('|');
  if (table === 'S') {
    const part = rest[0]!;
    return `snapshot ${part === 'total' || part === 'midhigh' ? part : tierKeys.includes(part) ? 'tier' : 'sub-band'}`;
  }
  const name = rest[0]!;
  if (name === 'M' || ((name === 'new' || name === 'lost') && /^\d+$/.test(rest[1]!))) return 'period transition';
  if (name === 'pool') return 'period pooled';
  return `period ${name}`;
};
for (const [key, f] of byKey) {
  if (!base.test(key)) continue;
  const level = key.split('|')[2] === '*' ? 'bank' : 'branch';
  count(`${level} · ${kindOf(key)} · ${key.split('|').at(-1)}`, f.status === 'suppressed');
}

const pct = (a: number, b: number) => (b ? ((100 * a) / b).toFixed(1) : '0.0');
const lines = [...rows].sort(([a], [b]) => (a < b ? -1 : 1));
let all = 0;
let withheld = 0;
console.log('base figures withheld (level · table · measure): withheld / all');
for (const [label, r] of lines) {
  all += r.all;
  withheld += r.withheld;
  console.log(`  ${label.padEnd(44)} ${String(r.withheld).padStart(6)} / ${String(r.all).padEnd(7)} ${pct(r.withheld, r.all).padStart(5)} %`);
}
console.log(`  ${'all'.padEnd(44)} ${String(withheld).padStart(6)} / ${String(all).padEnd(7)} ${pct(withheld, all).padStart(5)} %`);

const transition = (period: string) => {
  const keys = [
    ...tierKeys.flatMap((_, a) => tierKeys.map((__, b) => `P|${period}|*|M|${a}|${b}|n`)),
    ...tierKeys.map((_, t) => `P|${period}|*|lost|${t}|n`),
    ...tierKeys.map((_, t) => `P|${period}|*|new|${t}|n`),
  ];
  return keys.map((k) => ({ key: k, withheld: byKey.get(k)?.status === 'suppressed' }));
};
let tAll = 0;
let tWithheld = 0;
console.log('\nbank transition cells withheld, per period:');
for (const p of pub.meta.periods as { id: string; headline?: boolean }[]) {
  const cells = transition(p.id);
  const w = cells.filter((c) => c.withheld).length;
  tAll += cells.length;
  tWithheld += w;
  console.log(`  ${p.id}${p.id === pub.meta.headline ? ' (headline)' : ''}: ${w} of ${cells.length}`);
}
console.log(`  all periods: ${tWithheld} of ${tAll} (${pct(tWithheld, tAll)} %)`);

if (args.truth) {
  const truth = await readPublished(args.truth);
  const value = new Map(truth.figures.filter((f) => f.status === 'num').map((f) => [f.key, f.value!]));
  const from = pub.meta.tiers.findIndex((t: { midHigh: boolean }) => t.midHigh);
  const big: string[] = [];
  for (const p of pub.meta.periods as { id: string }[])
    for (const c of transition(p.id)) {
      const [, , , name, a] = c.key.split('|');
      const row = name === 'M' || name === 'lost' ? Number(a) : -1;
      if (c.withheld && row >= from && (value.get(c.key) ?? 0) >= 100) big.push(`${c.key} (${value.get(c.key)} customers)`);
    }
  console.log(`\nbank mid-high-row transition cells with ≥ 100 customers withheld: ${big.length}`);
  for (const b of big) console.log(`  ${b}`);
}

if (process.argv.includes('--solve')) {
  const { systemCheck } = await import('../src/audit/solve.ts');
  const t = performance.now();
  const s = systemCheck(pub);
  console.log(`\nfull-system check: ${s.withheld} withheld, ${s.unknowns} unknowns in ${s.groups} group(s) (largest ${s.largestGroup}), ${s.relations} linear relations, ${((performance.now() - t) / 1000).toFixed(1)} s`);
  console.log(`recoverable cells: ${s.findings.length}; withheld derived figures the published ones give: ${s.derivedGiven}`);
  for (const f of s.findings.slice(0, 20)) console.log(`  ${f.file}: ${f.location}`);
}
