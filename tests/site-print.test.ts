import { describe, expect, it } from 'vitest';
import { cssString, printMarginCss } from '../src/site/printCss.ts';

describe('print margin boxes', () => {
  it('escape every character that could end the CSS string or the <style> element', () => {
    const s = cssString('a"b\\c</style><script>x</script>\n·');
    expect(s.startsWith('"') && s.endsWith('"')).toBe(true);
    const inner = s.slice(1, -1);
    expect(inner).not.toMatch(/["<>\n]/);
    // Each unsafe character is a hex escape followed by one space: " is \22, < is \3c, · is \b7.
    expect(inner).toBe('a\\22 b\\5c c\\3c \\2f style\\3e \\3c script\\3e x\\3c \\2f script\\3e \\a \\b7 ');
  });

  it('keep Chinese, letters and digits readable', () => {
    expect(cssString('零售报告 2025年11月30日')).toBe('"零售报告 2025年11月30日"');
  });

  it('put the footer bottom-left and page numbers bottom-right', () => {
    const css = printMarginCss('Report', ' of ');
    expect(css).toContain('@bottom-left{content:"Report"');
    expect(css).toContain('@bottom-right{content:counter(page) " of " counter(pages)');
  });
});
