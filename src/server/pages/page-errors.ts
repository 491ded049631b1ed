// Refusals a hosted page shows to the person as the error page. Each is meant
// for the wire (heading, message, code); src/server/respond.ts renders it in
// the tenant's look with the request id.

export class PageError extends Error {
  override name = 'PageError';
  readonly status: number;
  readonly heading: string;
  readonly code: string | undefined;
  constructor(status: number, heading: string, message: string, code?: string) {
    super(message);
    this.status = status;
    this.heading = heading;
    this.code = code;
  }
}

/** A form that is too large or not form-encoded. */
export class BadForm extends PageError {
  override name = 'BadForm';
  constructor(message: string) {
    super(400, 'The form could not be read', message, 'invalid_request');
  }
}

/** A posted form without the CSRF token of the cookie it is bound to. */
export class CsrfRefused extends PageError {
  override name = 'CsrfRefused';
  constructor() {
    super(403, 'The form could not be verified', 'The page was not sent by this service, or it is out of date. Go back, reload the page and try again.', 'csrf');
  }
}

/** An interaction cookie that is gone, or a sign-in page opened too late or in another browser. */
export class InteractionExpired extends PageError {
  override name = 'InteractionExpired';
  constructor() {
    super(400, 'This sign-in page has expired', 'It was already used, is more than 10 minutes old, or was opened in another browser.', 'interaction_expired');
  }
}

/** The licensed monthly-active-user limit keeps a user not yet counted this month from signing in. */
export class UserLimitReached extends PageError {
  override name = 'UserLimitReached';
  constructor(message: string) {
    super(403, 'Sign-in is paused', message, 'license_limit');
  }
}
