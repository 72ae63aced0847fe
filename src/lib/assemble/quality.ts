// The data-quality report: what happened to every input row, id matching between
// snapshots, branches that vanished or appeared between them, and how many
// figures disclosure control withheld (counts only).
import type { FileReport } from '../../engine/load.ts';
import type { Config } from '../config.ts';
import { printableCode } from '../printable.ts';
import type { BranchChange, QualityFile } from '../../schema/output.ts';

export interface IdMatchInput {
  start: string;
  end: string;
  matched: number;
}

/** One snapshot's (branch × band) customer counts: all the branch check needs. */
export interface SnapshotBranchCells {
  date: string;
  cells: readonly { branch: string; n: number }[];
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Branches that held at least `minCell` customers in one snapshot and none in
 * the next (vanished), or none and then at least `minCell` (appeared), for every
 * pair of adjacent snapshots. The id match cannot see this: it compares each
 * snapshot with the one before, so a branch missing from one middle export
 * looks like lost customers, then like new ones, and neither share need fall
 * below minIdMatchShare.
 */
export function branchChanges(snapshots: readonly SnapshotBranchCells[], minCell: number): BranchChange[] {
  const ordered = [...snapshots].sort((a, b) => byCodePoint(a.date, b.date));
  const counts = ordered.map((s) => {
    const m = new Map<string, number>();
    for (const c of s.cells) m.set(c.branch, (m.get(c.branch) ?? 0) + c.n);
    return m;
  });
  const out: BranchChange[] = [];
  for (let i = 1; i < ordered.length; i++) {
    const [before, after] = [counts[i - 1]!, counts[i]!];
    const [start, end] = [ordered[i - 1]!.date, ordered[i]!.date];
    for (const branch of [...new Set([...before.keys(), ...after.keys()])].sort(byCodePoint)) {
      const [x, y] = [before.get(branch) ?? 0, after.get(branch) ?? 0];
      if (x >= minCell && y === 0) out.push({ branch, change: 'vanished', start, end });
      else if (x === 0 && y >= minCell) out.push({ branch, change: 'appeared', start, end });
    }
  }
  return out;
}

/** The terminal's (and quality.json's) line for a branch change. No count beyond minCell: the exact one may be withheld elsewhere. */
export function branchChangeWarning(c: BranchChange, minCell: number): string {
  const code = printableCode(c.branch);
  return c.change === 'vanished'
    ? `branch ${code} vanished between ${c.start} and ${c.end}: ${minCell} or more customers on ${c.start}, none on ${c.end}; if the ${c.end} export left it out, its customers count as lost (and as new when it returns)`
    : `branch ${code} appeared between ${c.start} and ${c.end}: no customers on ${c.start}, ${minCell} or more on ${c.end}; unless it is a new branch, the ${c.start} export left it out and its customers count as new`;
}

export function buildQuality(
  config: Config,
  files: readonly FileReport[],
  idMatch: readonly IdMatchInput[],
  suppressed: QualityFile['suppressed'],
  snapshots: readonly SnapshotBranchCells[],
  /** Every branch code any snapshot holds. */
  branches: readonly string[] = [],
): QualityFile {
  const byDate = new Map(files.map((f) => [f.snapshotDate, f]));
  const warnings: string[] = [];
  for (const f of files) {
    if (f.depositsAboveAum > 0)
      warnings.push(`${f.file}: ${f.depositsAboveAum} row(s) have deposits above aum (kept; deposits are part of financial assets, so check the export)`);
    if (f.warned.invalid_open_date)
      warnings.push(
        `${f.file}: ${f.warned.invalid_open_date} row(s) have an unreadable open_date (invalid_open_date); the customers are kept and the date treated as missing`,
      );
    if (f.ignoredColumns.length > 0) warnings.push(`${f.file}: ignored column(s) ${f.ignoredColumns.map((c) => JSON.stringify(c)).join(', ')}`);
  }
  // Config entries that name nothing: a mistyped code or file name would otherwise go unnoticed.
  const held = new Set(branches);
  const unknownBranches = Object.keys(config.branches).filter((code) => !held.has(code));
  if (unknownBranches.length > 0)
    warnings.push(
      `config branches names ${unknownBranches.length} code(s) that no snapshot holds: ${unknownBranches.map((c) => JSON.stringify(c)).join(', ')} (a typo, or a branch with no customers in these files?)`,
    );
  const names = new Set(files.map((f) => f.file));
  const unknownFiles = Object.keys(config.snapshotDates).filter((name) => !names.has(name));
  if (unknownFiles.length > 0)
    warnings.push(`config snapshotDates names ${unknownFiles.length} file(s) that are not in the snapshot folder: ${unknownFiles.map((n) => JSON.stringify(n)).join(', ')}`);
  const matches = idMatch.map(({ start, end, matched }) => {
    const startCustomers = byDate.get(start)!.rowsUsed;
    const endCustomers = byDate.get(end)!.rowsUsed;
    const matchShare = endCustomers === 0 ? null : matched / endCustomers;
    const warning = matchShare !== null && matchShare < config.minIdMatchShare;
    if (warning)
      warnings.push(
        `only ${(matchShare * 100).toFixed(2)} % of the customers of ${end} appear in ${start}: customer ids may not be stable across snapshots (a fresh anonymisation salt per export makes everyone "new")`,
      );
    return { start, end, startCustomers, endCustomers, matched, matchShare, warning };
  });
  const changes = branchChanges(snapshots, config.privacy.minCell);
  for (const c of changes) warnings.push(branchChangeWarning(c, config.privacy.minCell));
  return {
    files: files.map((f) => ({
      file: f.file,
      snapshotDate: f.snapshotDate,
      format: f.format,
      encoding: f.encoding,
      dateSource: f.dateSource,
      rowsRead: f.rowsRead,
      rowsUsed: f.rowsUsed,
      rowsRejected: f.rowsRead - f.rowsUsed,
      rowsSkipped: f.rowsSkipped,
      rejected: { ...f.rejected },
      warned: { ...f.warned },
      // Where, never what: the offending text is row-level data, so it goes to the
      // analyst's terminal (the CLI) and not into the published file.
      examples: f.examples.filter((e) => !(e.reason in f.warned)).map((e) => ({ reason: e.reason, line: e.line, column: e.column })),
      depositsAboveAum: f.depositsAboveAum,
      ignoredColumns: [...f.ignoredColumns],
    })),
    idMatch: matches,
    branchChanges: changes,
    suppressed,
    warnings,
  };
}
