// The run's estimate of what is left: share done and time left at the rate so far.
import { describe, expect, it } from 'vitest';
import { createMeter, duration } from '../src/engine/progress.ts';

describe('the progress meter', () => {
  it('extrapolates the rate so far: a quarter done in 10 s leaves 30 s', () => {
    let now = 0;
    const meter = createMeter(400, () => now);
    now = 10_000;
    meter.finish(100);
    expect(meter.status()).toBe('25 % done, about 30 s left');
  });

  it('counts the step under way, never going back within it', () => {
    let now = 0;
    const meter = createMeter(100, () => now);
    now = 5_000;
    meter.partial(50);
    meter.partial(20); // the next query of the same step starts again from 0 %
    // 50 % in 5 s: 5 s left.
    expect(meter.status()).toBe('50 % done, about 5 s left');
    meter.finish(60); // the step's real size replaces the partial figure
    now = 6_000;
    // 60 % in 6 s: 4 s left.
    expect(meter.status()).toBe('60 % done, about 4 s left');
  });

  it('gives no estimate before there is a rate to go by', () => {
    let now = 0;
    const early = createMeter(1000, () => now);
    now = 1_000;
    early.finish(500); // half done, but after 1 s only
    expect(early.status()).toBe('50 % done');
    const slow = createMeter(1000, () => now);
    now = 61_000;
    slow.partial(4); // 0.4 % after a minute
    expect(slow.status()).toBe('0 % done');
  });

  it('writes durations as an analyst reads them', () => {
    expect(duration(4.4)).toBe('4 s');
    expect(duration(125)).toBe('2 min 05 s');
    expect(duration(3 * 3600 + 3 * 60 + 59)).toBe('3 h 03 min');
  });
});
