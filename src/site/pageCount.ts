// The site step's throughput for `npm run build`: the pages Astro wrote, counted
// on disk rather than taken from the route table, so the figure stays true if a
// route fails to produce its file, or Astro writes one the table does not list.
import { readdir } from 'node:fs/promises';

/** *.html files anywhere below dir (symbolic links not followed). */
export async function countHtmlPages(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.html')).length;
}

/** "site 1086 pages in 81.2 s (13.4 pages/s)". */
export function siteThroughput(pages: number, ms: number): string {
  const s = ms / 1000;
  const rate = s > 0 ? (pages / s).toFixed(1) : '–';
  return `site ${pages} page${pages === 1 ? '' : 's'} in ${s.toFixed(1)} s (${rate} pages/s)`;
}
