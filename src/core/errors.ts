/**
 * Domain errors. Each has a stable machine-readable `code`; the CLI maps it
 * to an exit code and the server to an HTTP status, each in one place.
 */
export type ErrorCode = 'not_found' | 'conflict' | 'validation_failed' | 'not_permitted' | 'unavailable' | 'precondition_failed' | 'rate_limited' | 'license_required' | 'license_limit';

export class AuthflowError extends Error {
  override name = 'AuthflowError';
  readonly code: ErrorCode;
  readonly field: string | undefined;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; field?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options?.field;
  }
}

export class NotFound extends AuthflowError {
  override name = 'NotFound';
  constructor(message: string) {
    super('not_found', message);
  }
}

export class Conflict extends AuthflowError {
  override name = 'Conflict';
  constructor(message: string, options?: { cause?: unknown }) {
    super('conflict', message, options);
  }
}

/** Input that breaks a rule; `field` names the offending input. */
export class ValidationFailed extends AuthflowError {
  override name = 'ValidationFailed';
  /** What is wrong, without the field's name (the CLI puts the flag's name in front instead). */
  readonly reason: string;
  constructor(field: string, message: string) {
    super('validation_failed', `${field}: ${message}`, { field });
    this.reason = message;
  }
}

export class NotPermitted extends AuthflowError {
  override name = 'NotPermitted';
  constructor(message: string) {
    super('not_permitted', message);
  }
}

/** An update whose If-Match no longer matches the stored version. */
export class PreconditionFailed extends AuthflowError {
  override name = 'PreconditionFailed';
  constructor(message = 'the resource changed since it was read; fetch it again and retry') {
    super('precondition_failed', message);
  }
}

/** A dependency (database, master key) cannot be reached or used. */
export class Unavailable extends AuthflowError {
  override name = 'Unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', message, options);
  }
}

/** Too many attempts (docs/security.md, abuse): HTTP 429 with Retry-After. */
export class RateLimited extends AuthflowError {
  override name = 'RateLimited';
  /** Seconds until another attempt may succeed. */
  readonly retryAfter: number;
  constructor(message: string, retryAfter: number) {
    super('rate_limited', message);
    this.retryAfter = Math.max(1, Math.ceil(retryAfter));
  }
}

/** A feature the effective license does not grant: HTTP 403 / exit 6, naming the feature. */
export class LicenseRequired extends AuthflowError {
  override name = 'LicenseRequired';
  readonly feature: string;
  constructor(feature: string) {
    super('license_required', `${feature} needs a license that includes it (see "authflow license status")`);
    this.feature = feature;
  }
}

/** Creating one more would exceed a licensed limit: HTTP 403 / exit 6. */
export class LicenseLimit extends AuthflowError {
  override name = 'LicenseLimit';
  readonly limit: string;
  constructor(limit: string, max: number) {
    super('license_limit', `the license allows ${max} ${limit}; remove one or install a license with a higher limit`);
    this.limit = limit;
  }
}

export function isAuthflowError(e: unknown): e is AuthflowError {
  return e instanceof AuthflowError;
}
