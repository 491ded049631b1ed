import type { z } from 'zod';
import { ValidationFailed } from './errors.ts';

/** Parses input with a zod schema; the first problem becomes a ValidationFailed naming its field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, prefix?: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  const field = issue.code === 'unrecognized_keys' ? [path, issue.keys[0]].filter(Boolean).join('.') : path || 'body';
  const message = issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message;
  throw new ValidationFailed(field, message);
}
