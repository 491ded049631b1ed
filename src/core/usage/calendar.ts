import { ValidationFailed } from '../errors.ts';

/** The UTC calendar month (YYYY-MM) of a time in ms: the period monthly active users are counted in. */
export function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

/** The UTC day (YYYY-MM-DD) of a time in ms. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Checks a `--month` value: YYYY-MM, not in the future. */
export function parseMonth(value: string, now: number, field = 'month'): string {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(value);
  if (!m) throw new ValidationFailed(field, `must be a month as YYYY-MM, such as ${monthOf(now)}`);
  if (value > monthOf(now)) throw new ValidationFailed(field, `${value} is in the future`);
  return value;
}

/** The first and last day (YYYY-MM-DD) of a month. */
export function daysOf(month: string): { first: string; last: string; days: string[] } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const count = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const days = Array.from({ length: count }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
  return { first: days[0]!, last: days.at(-1)!, days };
}
