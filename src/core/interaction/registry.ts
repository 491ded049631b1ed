import { consent } from './steps/consent.ts';
import { identify } from './steps/identify.ts';
import { password } from './steps/password.ts';
import type { Step } from './steps/step.ts';

/**
 * The sign-in sequence, in order: identify → authenticate → (second factor,
 * later: TOTP, passkey, SMS) → consent → finish. The first pending step is
 * the one shown; when none is pending the authorization completes.
 */
export const STEPS: readonly Step[] = [identify, password, consent];
