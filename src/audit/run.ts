// The leak audit as one function, for the CLI (scripts/audit.ts) and the tests.
// Each check can be switched off, which the tests use to show that each planted
// leak is caught by the check meant to catch it.
import path from 'node:path';
import type { Config } from '../lib/config.ts';
import { branchSlugs } from '../site/routes.ts';
import { readPublished } from './figures.ts';
import { allIds, inputFiles, loadInputs, openDb } from './inputs.ts';
import { idIndex } from './idScan.ts';
import { computeTruth, type Truth } from './truth.ts';
import { smallCellCheck } from './smallCells.ts';
import { subtractionCheck } from './subtraction.ts';
import { systemCheck } from './solve.ts';
import { csvIndex } from './csvCheck.ts';
import { scanTree } from './scan.ts';
import { MIN_YUAN } from './amounts.ts';
import type { CheckSummary, Finding } from './report.ts';

export type CheckName = 'ids' | 'small-cells' | 'amounts' | 'subtraction' | 'system' | 'csv';
export const CHECKS: CheckName[] = ['ids', 'small-cells', 'amounts', 'subtraction', 'system', 'csv'];

export interface AuditOptions {
  dist: string;
  data: string;
  json: string;
  config: Config;
  checks?: CheckName[];
  log?: (line: string) => void;
  /** Ground truth computed earlier for the same inputs (tests audit many variants of one build). */
  ground?: Ground;
}

export interface Ground {
  ids: Set<string>;
  truth: Truth;
}

/** Reads the inputs once: every customer id, and the true count of every published cell. */
export async function groundTruth(data: string, config: Config, periods: { id: string; start: string; end: string }[]): Promise<Ground> {
  const conn = await openDb();
  try {
    const files = await inputFiles(data);
    if (files.length === 0) throw new Error(`audit: no snapshot files in ${data}`);
    const inputs = await loadInputs(conn, files, config);
    const ids = await allIds(conn);
    const truth = await computeTruth(conn, config, [...new Set(inputs.map((i) => i.date))].sort(), periods);
    return { ids, truth };
  } finally {
    conn.closeSync();
  }
}

export interface AuditResult {
  findings: Finding[];
  summaries: CheckSummary[];
  warnings: string[];
}

const fmt = (n: number) => n.toLocaleString('en-US');

export async function runAudit(opt: AuditOptions): Promise<AuditResult> {
  const on = new Set(opt.checks ?? CHECKS);
  const log = opt.log ?? (() => {});
  const t0 = Date.now();
  const secs = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  const pub = await readPublished(opt.json);
  const findings: Finding[] = [];
  const summaries: CheckSummary[] = [];
  const warnings: string[] = [];
  // The system and subtraction checks read the published JSON alone; the others need the inputs.
  const needsInputs = on.has('ids') || on.has('small-cells') || on.has('amounts') || on.has('csv');
  if (!needsInputs) {
    relationChecks(pub, on, opt.json, findings, summaries);
    log(`audit: done (${secs()})`);
    return { findings, summaries, warnings };
  }
  const { ids, truth } = opt.ground ?? (await groundTruth(opt.data, opt.config, pub.meta.periods));
  log(`audit: ground truth: ${fmt(ids.size)} ids, ${fmt(truth.counts.size)} cells, ${fmt(truth.small.size)} small (${secs()})`);

  if (on.has('small-cells')) {
    const s = smallCellCheck(pub, truth);
    findings.push(...s.findings.map((f) => ({ ...f, file: path.join(opt.json, f.file) })));
    summaries.push({ check: 'small-cells', stats: `cells checked ${fmt(s.cellsChecked)} (small ${fmt(s.smallCells)}), figures checked ${fmt(s.figuresChecked)}` });
    if (s.mismatches.length)
      warnings.push(`${s.mismatches.length} published count(s) differ from the audit's own count of the inputs, e.g. ${s.mismatches.slice(0, 3).join('; ')}`);
  }
  relationChecks(pub, on, opt.json, findings, summaries);

  const index = idIndex(on.has('ids') ? ids : new Set());
  const csvIx = csvIndex(pub, branchSlugs(pub.meta.branches.map((b: { code: string }) => b.code)));
  const scanOpt = { ids: on.has('ids'), amounts: on.has('amounts'), csv: on.has('csv') };
  let lastLog = 0;
  const progress = (what: string) => (done: number, total: number) => {
    if (Date.now() - lastLog < 2000 && done !== total) return;
    lastLog = Date.now();
    log(`audit: ${what}: files scanned ${fmt(done)} / ${fmt(total)} (${secs()})`);
  };
  // The JSON the site was built from, then the site itself.
  const jsonScan = await scanTree(opt.json, index, truth, null, { ...scanOpt, csv: false, prefix: `${opt.json}/`, progress: progress(opt.json) });
  const distScan = await scanTree(opt.dist, index, truth, csvIx, { ...scanOpt, prefix: `${opt.dist}/`, progress: progress(opt.dist) });
  findings.push(...jsonScan.findings, ...distScan.findings);
  const scanned = jsonScan.files + distScan.files;
  const skipped = [...distScan.skipped, ...jsonScan.skipped].map(([e, n]) => `${e} ${n}`).join(', ');
  const mb = ((jsonScan.bytes + distScan.bytes) / 1e6).toFixed(0);
  if (on.has('ids'))
    summaries.push({ check: 'ids', stats: `files scanned ${fmt(scanned)} (${mb} MB of text; not read: ${skipped || 'none'}), ids checked ${fmt(ids.size)}` });
  if (on.has('amounts'))
    summaries.push({ check: 'amounts', stats: `JSON and CSV files scanned, row-level amounts of small-cell customers checked ${fmt(truth.amounts.size)} (amounts under ${MIN_YUAN} 元 ignored)` });
  if (on.has('csv')) {
    summaries.push({ check: 'csv', stats: `CSV files mapped ${fmt(distScan.csvMapped)}, cells checked ${fmt(distScan.csvCells)}, CSVs without a mapping ${fmt(distScan.csvUnmapped.length)}` });
    const kinds = new Map<string, number>();
    for (const f of distScan.csvUnmapped) kinds.set(path.basename(f), (kinds.get(path.basename(f)) ?? 0) + 1);
    if (kinds.size) warnings.push(`CSV files not checked against the JSON (no mapping): ${[...kinds].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  }
  log(`audit: done (${secs()})`);
  return { findings, summaries, warnings };
}

/** The checks that solve the published figures' relations (no inputs needed). */
function relationChecks(pub: Awaited<ReturnType<typeof readPublished>>, on: Set<CheckName>, json: string, findings: Finding[], summaries: CheckSummary[]): void {
  if (on.has('subtraction')) {
    const s = subtractionCheck(pub);
    findings.push(...s.findings.map((f) => ({ ...f, file: path.join(json, f.file) })));
    summaries.push({ check: 'subtraction', stats: `relations checked ${fmt(s.relationsChecked)}, withheld values ${fmt(s.withheld)}` });
  }
  if (on.has('system')) {
    const t = Date.now();
    const s = systemCheck(pub);
    findings.push(...s.findings.map((f) => ({ ...f, file: path.join(json, f.file) })));
    summaries.push({
      check: 'system',
      stats: `withheld values ${fmt(s.withheld)}, unknowns ${fmt(s.unknowns)} in ${fmt(s.groups)} group(s) (largest ${fmt(s.largestGroup)}), linear relations ${fmt(s.relations)}, solved exactly in ${((Date.now() - t) / 1000).toFixed(1)} s`,
    });
  }
}
