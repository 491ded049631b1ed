import { ConfigError } from '../config/error.ts';
import { isAuthflowError, type ErrorCode } from '../core/errors.ts';

/** Stable exit codes (docs/cli.md). Scripts depend on them. */
export const EXIT = Object.freeze({
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  conflict: 4,
  validation: 5,
  notPermitted: 6,
  /** Ctrl-C at a prompt: 128 + SIGINT, as a shell reports an interrupted command. */
  interrupted: 130,
});

const BY_CODE: Record<ErrorCode, number> = {
  not_found: EXIT.notFound,
  conflict: EXIT.conflict,
  validation_failed: EXIT.validation,
  not_permitted: EXIT.notPermitted,
  unavailable: EXIT.failure,
  precondition_failed: EXIT.conflict,
  rate_limited: EXIT.notPermitted,
  license_required: EXIT.notPermitted,
  license_limit: EXIT.notPermitted,
};

/** A usage mistake the CLI itself detects (bad flag combination, missing argument). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function exitCodeFor(e: unknown): { exit: number; code: string } {
  if (e instanceof UsageError) return { exit: EXIT.usage, code: 'usage' };
  if (e instanceof ConfigError) return { exit: EXIT.validation, code: 'invalid_config' };
  if (isAuthflowError(e)) return { exit: BY_CODE[e.code], code: e.code };
  if (e instanceof Error && (e.name === 'ExitPromptError' || e.name === 'AbortPromptError')) return { exit: EXIT.interrupted, code: 'interrupted' };
  return { exit: EXIT.failure, code: 'failure' };
}
