// How the pages and emails say a duration: one wording everywhere, singular
// for one ("1 minute"), plural otherwise.

const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/**
 * How long something lasts, in seconds, as a message says it: "30 minutes",
 * "1 hour", "24 hours", "7 days" — whole hours or days (from two days on)
 * when it is a whole number of them, else minutes (at least one).
 */
export function lifetimeText(seconds: number): string {
  if (seconds >= 2 * 86_400 && seconds % 86_400 === 0) return count(seconds / 86_400, 'day');
  if (seconds % 3600 === 0 && seconds > 0) return count(seconds / 3600, 'hour');
  return count(Math.max(1, Math.round(seconds / 60)), 'minute');
}

/** How long to wait, for a Retry-After in seconds ("45 seconds", "5 minutes", "2 hours"): rounded up, never shorter than the wait. */
export function waitText(seconds: number): string {
  if (seconds < 90) return count(Math.max(1, Math.ceil(seconds)), 'second');
  if (seconds < 5400) return count(Math.ceil(seconds / 60), 'minute');
  return count(Math.ceil(seconds / 3600), 'hour');
}
