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
): QualityFile {
  const byDate = new Map(files.map((f) => [f.snapshotDate, f]));
  const warnings: string[] = [];
  for (const f of files) {
    if (f.depositsAboveAum > 0)
      warnings.push(`${f.file}: ${f.depositsAboveAum} row(s) have deposits above aum (kept; deposits are part of financial assets, so check the export)`);
    if (f.ignoredColumns.length > 0) warnings.push(`${f.file}: ignored column(s) ${f.ignoredColumns.map((c) => JSON.stringify(c)).join(', ')}`);
  }
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
      rowsRead: f.rowsRead,
      rowsUsed: f.rowsUsed,
      rowsRejected: f.rowsRead - f.rowsUsed,
      rejected: { ...f.rejected },
      // Where, never what: the offending text is row-level data, so it goes to the
      // analyst's terminal (the CLI) and not into the published file.
      examples: f.examples.map((e) => ({ reason: e.reason, line: e.line, column: e.column })),
      depositsAboveAum: f.depositsAboveAum,
      ignoredColumns: [...f.ignoredColumns],
    })),
    idMatch: matches,
    suppressed,
    warnings,
  };
}
