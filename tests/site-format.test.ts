// Expected strings are written out by hand from docs/metrics.md "Rounding and display" and
// the rounding rule (half away from zero, once, at display).
import { describe, expect, it } from 'vitest';
import { amount, amountScale, compareShares, count, date, fig, multiple, percent, percentTick, points } from '../src/lib/format.ts';

describe('format', () => {
  it('percentages have two decimals and round half away from zero', () => {
    expect(percent(0.85234, 'zh')).toBe('85.23%');
    expect(percent(0.00125, 'en')).toBe('0.13%'); // banker's rounding would give 0.12
    expect(percent(-0.00125, 'en')).toBe('-0.13%');
    expect(percent(0.01005, 'zh')).toBe('1.01%'); // 1.005 is 1.00499… in binary
    expect(percent(1, 'en')).toBe('100.00%');
    expect(percent(0.0023, 'en', true)).toBe('+0.23%');
  });

  it('counts carry thousands separators in both languages', () => {
    expect(count(1234567, 'zh')).toBe('1,234,567');
    expect(count(1234567, 'en')).toBe('1,234,567');
    expect(count(-326, 'en', true)).toBe('-326');
    expect(count(326, 'zh', true)).toBe('+326');
    expect(count(0, 'zh', true)).toBe('0');
  });

  it('zh amounts choose 元, 万元 or 亿元 by magnitude', () => {
    expect(amount(123_456_789_012, 'zh')).toBe('12.35亿元'); // 1,234,567,890.12 元
    expect(amount(5_000_000, 'zh')).toBe('5.00万元'); // 50,000 元
    expect(amount(999_999, 'zh')).toBe('9,999.99元');
    expect(amount(999_999_999, 'zh')).toBe('1,000.00万元'); // 9,999,999.99 元
  });

  it('where rounding carries into the next unit, the next unit is used', () => {
    expect(amount(9_999_999_999, 'zh')).toBe('1.00亿元'); // 99,999,999.99 元
    expect(amount(99_999_999, 'en')).toBe('CNY 1.00M'); // 999,999.99 → 1.00M, not 1,000.00K
    expect(amount(-2_500_000_000, 'zh')).toBe('-2,500.00万元');
  });

  it('en amounts use CNY with K/M/B', () => {
    expect(amount(123_456_789_012, 'en')).toBe('CNY 1.23B');
    expect(amount(5_000_000, 'en')).toBe('CNY 50.00K');
    expect(amount(12_345, 'en')).toBe('CNY 123.45');
    expect(amount(80_000_000_000, 'en')).toBe('CNY 800.00M');
  });

  it('axis units follow the largest value', () => {
    expect(amountScale(123_456_789_012, 'zh')).toEqual({ divisor: 1e10, unit: '亿元' });
    expect(amountScale(5_000_000, 'en')).toEqual({ divisor: 1e5, unit: 'CNY K' });
  });

  it('withheld figures never read as zero', () => {
    expect(fig({ suppressed: 'frequency' }, 'count', 'zh', 10)).toBe('< 10');
    expect(fig({ suppressed: 'secondary' }, 'count', 'en', 10)).toBe('—');
    expect(fig({ suppressed: 'dominance' }, 'amount', 'en', 10)).toBe('—');
    expect(fig(null, 'percent', 'en', 10)).toBe('—');
    expect(fig(0, 'percent', 'en', 10)).toBe('0.00%');
  });

  it('points, multiples and dates', () => {
    expect(points(0.0023, 'en')).toBe('+0.23 pp');
    expect(points(-0.0013, 'zh')).toBe('-0.13个百分点');
    expect(multiple(1086.8718, 'zh')).toBe('1,086.87倍');
    expect(multiple(1086.8718, 'en')).toBe('1,086.87×');
    expect(date('2025-11-30', 'zh')).toBe('2025年11月30日');
    expect(date('2025-11-30', 'en')).toBe('30 Nov 2025');
  });

  it('compares shares as the reader sees them, and ticks in whole percent', () => {
    expect(compareShares(0.04401, 0.04398, 'en')).toBe(0); // both 4.40%
    expect(compareShares(0.05, 0.044, 'zh')).toBe(1);
    expect(compareShares(0.0151, 0.0161, 'en')).toBe(-1);
    expect(percentTick(0.2)).toBe('20%');
    expect(percentTick(0)).toBe('0%');
  });
});
