import { consent } from './steps/consent.ts';
import { identify } from './steps/identify.ts';
import { magicLinkSent, withMagicLinks } from './steps/magic-link.ts';
import { password } from './steps/password.ts';
import type { Step } from './steps/step.ts';
import { terms } from './steps/terms.ts';
import { registrationDecoy, verifyEmail } from './steps/verify-email.ts';

/**
 * The sign-in sequence, in order: identify → authenticate → (second factor,
 * later: TOTP, passkey, SMS) → consent → finish. The first pending step is
 * the one shown; when none is pending the authorization completes.
 */
// verify-email and terms run once a user is signed in, before consent.
// registrationDecoy (a registration with an already registered address shows
// the same "enter the code" page with nobody signed in) comes first, since
// identify would otherwise be pending.
// The login form's first factor is the password or, when the tenant enables
// magic links, a mailed sign-in link (magicLinkSent waits for it).
export const STEPS: readonly Step[] = [registrationDecoy, identify, withMagicLinks(password), magicLinkSent, verifyEmail, terms, consent];
