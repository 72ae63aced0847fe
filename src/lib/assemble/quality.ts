// The data-quality report: what happened to every input row, id matching between
// snapshots, and how many figures disclosure control withheld (counts only).
import type { FileReport } from '../../engine/load.ts';
import type { Config } from '../config.ts';
import type { QualityFile } from '../../schema/output.ts';

export interface IdMatchInput {
  start: string;
  end: string;
  matched: number;
}

export function buildQuality(
  config: Config,
  files: readonly FileReport[],
  idMatch: readonly IdMatchInput[],
  suppressed: QualityFile['suppressed'],
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
    suppressed,
    warnings,
  };
}
