import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countHtmlPages, siteThroughput } from '../src/site/pageCount.ts';
import { tempDir } from './helpers/pipeline.ts';

let dir: string;
beforeAll(async () => {
  dir = await tempDir('ts-pages-');
  const put = async (rel: string, body = '<!doctype html>') => {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), body);
  };
  await put('index.html');
  await put('en/index.html');
  await put('branch/b001/2025-01-31_2025-02-28/index.html');
  await put('en/branch/b001/index.html');
  await put('data/meta.json', '{}');
  await put('_astro/site.css', '');
  await put('favicon.svg', '<svg/>');
  await put('notes.html.bak');
  // A folder named like a page is not a page.
  await mkdir(path.join(dir, 'odd.html'), { recursive: true });
  // Nor is a link to one: it would count a page twice.
  await symlink(path.join(dir, 'index.html'), path.join(dir, 'alias.html'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('site page count', () => {
  it('counts the *.html files below the folder, at any depth', async () => {
    expect(await countHtmlPages(dir)).toBe(4);
    expect(await countHtmlPages(path.join(dir, 'en'))).toBe(2);
    expect(await countHtmlPages(path.join(dir, '_astro'))).toBe(0);
  });

  it('fails on a folder that does not exist rather than reporting 0 pages', async () => {
    await expect(countHtmlPages(path.join(dir, 'missing'))).rejects.toThrow(/ENOENT/);
  });

  it('prints pages, seconds and pages per second', () => {
    expect(siteThroughput(312, 41_234)).toBe('site 312 pages in 41.2 s (7.6 pages/s)');
    expect(siteThroughput(1, 500)).toBe('site 1 page in 0.5 s (2.0 pages/s)');
    expect(siteThroughput(0, 0)).toBe('site 0 pages in 0.0 s (– pages/s)');
  });
});
