import type { z } from 'zod';
import { ValidationFailed } from './errors.ts';

/** Parses input with a zod schema; the first problem becomes a ValidationFailed naming its field, in our words. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, prefix?: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  const field = issue.code === 'unrecognized_keys' ? [path, issue.keys[0]].filter(Boolean).join('.') : path || 'body';
  throw new ValidationFailed(field, describeIssue(issue, valueAt(input, issue.path)));
}

/**
 * One problem, said the same way whatever the schema: a message a schema wrote itself is kept; the
 * library's generic wording ("Invalid option: expected one of …", "expected number, received string")
 * is replaced by a sentence that shows the value given and what would be accepted.
 */
export function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === 'unrecognized_keys') return 'is not a known field';
  if (!GENERIC.test(issue.message)) return issue.message;
  const given = value === undefined ? '' : ` (got ${shown(value)})`;
  switch (issue.code) {
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${shown(issue.values[0])}${given}` : `must be one of ${issue.values.map(shown).join(', ')}${given}`;
    case 'invalid_type':
      return value === undefined ? 'is required' : `must be ${KINDS[issue.expected] ?? issue.expected}${given}`;
    case 'too_small':
      return `${sizeRule(issue.origin, 'at least', issue.minimum)}${given}`;
    case 'too_big':
      return `${sizeRule(issue.origin, 'at most', issue.maximum)}${given}`;
    case 'invalid_format':
      return `must be ${FORMATS[issue.format] ?? `a valid ${issue.format}`}${given}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}${given}`;
    case 'invalid_union':
      return `is not a value this field accepts${given}`;
    default:
      return `is not valid${given}`;
  }
}

// The library's own messages start like this; a schema's custom messages do not.
const GENERIC = /^(Invalid|Too (small|big)|Expected|Unrecognized|Required)\b/;

const KINDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  null: 'null',
};

const FORMATS: Record<string, string> = {
  email: 'an email address such as ada@example.com',
  url: 'a URL such as https://app.example.com',
  uuid: 'an id (a UUID)',
  regex: 'in the documented format',
  datetime: 'a date and time such as 2026-01-31T12:00:00Z',
};

function sizeRule(origin: string, bound: 'at least' | 'at most', n: number | bigint): string {
  if (origin === 'string') return Number(n) === 1 && bound === 'at least' ? 'must not be empty' : `must be ${bound} ${n} characters`;
  if (origin === 'array' || origin === 'set') return `must have ${bound} ${n} item${Number(n) === 1 ? '' : 's'}`;
  return `must be ${bound} ${n}`;
}

function shown(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'object' && v !== null) return Array.isArray(v) ? 'a list' : 'an object';
  return String(v);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}
