// From aggregated cells to the report's JSON objects: register every figure,
// run disclosure control once over all of them, then emit files that hold only
// what survived. Pure: no I/O, same input → same output.
import type { FileReport } from '../../engine/load.ts';
import type { FlowCell, SnapshotCell } from '../../engine/types.ts';
import { bandsOf, type Config } from '../config.ts';
import { Disclosure } from '../disclosure.ts';
import type { Period } from '../periods.ts';
import type { SnapshotStats } from '../snapshotStats.ts';
import { midHighFromIndex, yuanToFen } from '../tiers.ts';
import {
  Meta,
  OUTPUT_VERSION,
  PeriodFile,
  QualityFile,
  SeriesFile,
  SnapshotFile,
  type Concentration,
  type Meta as MetaT,
  type PeriodFile as PeriodFileT,
  type QualityFile as QualityFileT,
  type SeriesFile as SeriesFileT,
  type SnapshotFile as SnapshotFileT,
} from '../../schema/output.ts';
import { publishedConcentration, withheldCount, type ScopeConcentrations } from './concentrationInput.ts';
import { emitPeriodFile, registerPeriod } from './periodTables.ts';
import { buildQuality, type IdMatchInput } from './quality.ts';
import { Registry } from './registry.ts';
import { buildSeries } from './series.ts';
import { emitSnapshotFile, registerSnapshot } from './snapshotTables.ts';

export interface SnapshotInput {
  date: string;
  cells: SnapshotCell[];
  /** Already reduced to what may be published (concentrationInput.ts). */
  concentration: { aum: ScopeConcentrations; deposits: ScopeConcentrations };
}

export interface PeriodInput {
  period: Period;
  flows: FlowCell[];
}

export interface ReportInput {
  config: Config;
  toolVersion: string;
  files: FileReport[];
  /** In date order. */
  snapshots: SnapshotInput[];
  periods: PeriodInput[];
  idMatch: IdMatchInput[];
  /** A progress message now and then (disclosure control of a large book takes minutes). */
  progress?: (message: string) => void;
}

export interface Report {
  meta: MetaT;
  snapshots: SnapshotFileT[];
  periods: PeriodFileT[];
  series: SeriesFileT;
  quality: QualityFileT;
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function assembleReport(input: ReportInput): Report {
  const { config } = input;
  // Every branch seen in any snapshot is a scope of every snapshot (with zeros where it had no customers yet).
  const branches = [...new Set(input.snapshots.flatMap((s) => s.cells.map((c) => c.branch)))].sort(byCodePoint);

  const reg = new Registry();
  const stats = new Map<string, Map<string | null, SnapshotStats>>();
  for (const s of input.snapshots) stats.set(s.date, registerSnapshot(reg, config, s.date, s.cells, branches));
  for (const p of input.periods)
    registerPeriod(reg, config, p.period, p.flows, branches, stats.get(p.period.start)!, stats.get(p.period.end)!);

  const disclosure = new Disclosure(reg.cells, reg.relations, config.privacy, {
    importance: reg.importance,
    known: reg.known,
    intermediate: reg.intermediate,
    decideEmpty: reg.decideEmpty,
    progress: input.progress && ((done, total) => input.progress!(`disclosure control: ${done.toLocaleString('en')} of ${total.toLocaleString('en')} cells decided`)),
  });

  const empty = publishedConcentration(new Float64Array(0), config.privacy.minCell);
  let withheld = 0;
  const snapshots = input.snapshots.map((s) => {
    const scope = (branch: string | null) => {
      const pick = (c: ScopeConcentrations): Concentration => (branch === null ? c.bank : (c.branches.get(branch) ?? empty));
      const both = { aum: pick(s.concentration.aum), deposits: pick(s.concentration.deposits) };
      withheld += withheldCount(both.aum) + withheldCount(both.deposits);
      return both;
    };
    const conc = { bank: scope(null), branches: new Map(branches.map((b) => [b, scope(b)])) };
    return SnapshotFile.parse(emitSnapshotFile(disclosure, config, s.date, branches, conc));
  });
  const periods = input.periods.map((p) => PeriodFile.parse(emitPeriodFile(disclosure, config, p.period, branches)));
  const series = SeriesFile.parse(buildSeries([null, ...branches], snapshots, periods));

  const counts = disclosure.counts();
  const suppressed = { frequency: counts.frequency + withheld, dominance: counts.dominance, secondary: counts.secondary };
  const quality = QualityFile.parse(buildQuality(config, input.files, input.idMatch, suppressed, input.snapshots, branches));

  const from = midHighFromIndex(config);
  const bands = bandsOf(config);
  const meta = Meta.parse({
    outputVersion: OUTPUT_VERSION,
    toolVersion: input.toolVersion,
    title: config.title,
    locale: config.locale,
    amountUnit: 'fen',
    tiers: config.tiers.map((t, i) => ({
      key: t.key,
      label: t.label,
      lowerFen: yuanToFen(t.lower),
      midHigh: i >= from,
      subBands: bands
        .filter((b) => b.tierIndex === i && b.isSubBand)
        .map((b) => ({ key: b.key, label: t.subBands!.find((sb) => sb.key === b.key)!.label, lowerFen: yuanToFen(b.lower) })),
    })),
    privacy: config.privacy,
    branches: branches.map((code) => ({ code, label: config.branches[code] ?? { zh: code, en: code } })),
    snapshots: input.snapshots.map((s) => s.date),
    periods: input.periods.map((p) => p.period),
    headline: input.periods.find((p) => p.period.headline)?.period.id ?? null,
  });
  return { meta, snapshots, periods, series, quality };
}
