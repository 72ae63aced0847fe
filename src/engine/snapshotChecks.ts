// Whole-snapshot checks that no row check can make: a loaded file must describe
// a day that has happened and hold customers. Either failure is an export gone
// wrong, and carrying on would report it as fact (a snapshot with no customers
// makes every customer "lost" in the next period).
import { InputError } from './errors.ts';
import type { FileReport } from './load.ts';

/** Today's date on this machine's calendar, YYYY-MM-DD. */
export function localToday(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

/** The column the snapshot date came from, as written in the header, if any. */
function dateColumn(report: FileReport): string | undefined {
  return Object.entries(report.headerMap).find(([, c]) => c === 'snapshot_date')?.[0];
}

export function checkLoadedSnapshot(report: FileReport, today: string): void {
  if (report.snapshotDate > today) {
    const column = dateColumn(report);
    throw new InputError(
      `snapshot date ${report.snapshotDate} is after today (${today}); a snapshot is the book of a day that has passed${
        report.dateSource === 'name' ? ' (the date comes from the file name)' : report.dateSource === 'config' ? ' (the date comes from config snapshotDates)' : ''
      }`,
      { file: report.path, ...(column && report.dateSource === 'column' ? { column } : {}) },
    );
  }
  if (report.rowsRead === 0)
    throw new InputError(`no customer rows, only a header${report.rowsSkipped ? ` and ${report.rowsSkipped} blank line(s)` : ''}; a snapshot lists every customer of its date, so this export has failed`, {
      file: report.path,
    });
  if (report.rowsUsed === 0)
    throw new InputError(
      `no customer rows left: all ${report.rowsRead} rows were rejected (${Object.entries(report.rejected)
        .map(([r, n]) => `${r} ${n}`)
        .join(', ')})`,
      { file: report.path },
    );
}
