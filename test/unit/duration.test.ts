import { describe, expect, it } from 'vitest';
import { lifetimeText, waitText } from '../../src/core/duration.ts';

describe('durations as messages say them', () => {
  it('a lifetime: whole hours or days when it is a whole number of them, else minutes; "1 minute", never "1 minutes"', () => {
    expect(lifetimeText(60)).toBe('1 minute');
    expect(lifetimeText(1800)).toBe('30 minutes');
    expect(lifetimeText(90)).toBe('2 minutes');
    expect(lifetimeText(3600)).toBe('1 hour');
    expect(lifetimeText(86_400)).toBe('24 hours');
    expect(lifetimeText(7 * 86_400)).toBe('7 days');
    expect(lifetimeText(5400)).toBe('90 minutes');
  });

  it('a wait is rounded up, never shorter than the Retry-After it stands for', () => {
    expect(waitText(1)).toBe('1 second');
    expect(waitText(0.2)).toBe('1 second');
    expect(waitText(45)).toBe('45 seconds');
    expect(waitText(91)).toBe('2 minutes');
    expect(waitText(5400)).toBe('2 hours');
  });
});
