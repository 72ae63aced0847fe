// Walks the built site once: every file's text parts go to the id scan; JSON and
// CSV also to the amount scan, chart CSVs to the CSV-vs-JSON check. A few files
// are read at a time so reading overlaps scanning; progress goes to stderr.
import path from 'node:path';
import { extract, listFiles } from './extract.ts';
import { idFindings, type IdIndex } from './idScan.ts';
import { csvAmountFindings, jsonAmountFindings } from './amounts.ts';
import { csvConsistency, scopeOfPath, type CsvIndex } from './csvCheck.ts';
import type { Finding } from './report.ts';
import type { Truth } from './truth.ts';

export interface ScanOptions {
  ids: boolean;
  amounts: boolean;
  csv: boolean;
  /** Label for findings: files are reported relative to root, prefixed with this. */
  prefix: string;
  progress?: (done: number, total: number) => void;
}

export interface ScanResult {
  findings: Finding[];
  files: number;
  skipped: Map<string, number>;
  bytes: number;
  csvMapped: number;
  csvUnmapped: string[];
  csvCells: number;
}

export async function scanTree(root: string, index: IdIndex, truth: Truth, csvIx: CsvIndex | null, opt: ScanOptions): Promise<ScanResult> {
  const files = await listFiles(root);
  const res: ScanResult = { findings: [], files: 0, skipped: new Map(), bytes: 0, csvMapped: 0, csvUnmapped: [], csvCells: 0 };
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++]!;
      const rel = path.relative(root, file).split(path.sep).join('/');
      const shown = `${opt.prefix}${rel}`;
      const parts = await extract(file);
      done++;
      if (done % 500 === 0 || done === files.length) opt.progress?.(done, files.length);
      if (parts === null) {
        const ext = path.extname(file).toLowerCase() || '(none)';
        res.skipped.set(ext, (res.skipped.get(ext) ?? 0) + 1);
        continue;
      }
      res.files++;
      for (const p of parts) res.bytes += p.bytes.length;
      if (opt.ids) res.findings.push(...idFindings(index, shown, parts));
      const ext = path.extname(file).toLowerCase();
      if (ext === '.json' && opt.amounts) res.findings.push(...jsonAmountFindings(truth, shown, rel, parts[0]!.bytes.toString('utf8')));
      if (ext === '.csv') {
        const text = parts[0]!.bytes.toString('utf8');
        if (opt.amounts) res.findings.push(...csvAmountFindings(truth, shown, rel, scopeOfPath(csvIx, rel), text));
        if (opt.csv && csvIx) {
          const c = csvConsistency(csvIx, rel, text);
          res.findings.push(...c.findings.map((f) => ({ ...f, file: shown })));
          res.csvCells += c.checked;
          if (c.mapped === true) res.csvMapped++;
          if (c.mapped === false) res.csvUnmapped.push(rel);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return res;
}
