import type { LogLines } from './target.ts';

/**
 * Warn-level lines that hostile traffic is expected to cause: each is the
 * server telling the operator about a refusal it handled. Anything else at
 * warn or above — every error — is a finding.
 */
const EXPECTED_WARNINGS: readonly RegExp[] = [];

export function seriousLogLines(logs: LogLines): Record<string, unknown>[] {
  return logs.serious.filter((l) => !((l.level as number) < 50 && EXPECTED_WARNINGS.some((re) => re.test(String(l.msg)))));
}
