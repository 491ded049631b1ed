import type { Clock } from '../core/clock.ts';
import type { MailDeps } from '../core/mail/mail.ts';
import { createEmailComposer } from '../server/emails.ts';

/** What the core needs to queue mail. `wake` nudges the background sender (see serve). */
export function createMailDeps(clock: Clock): MailDeps & { setWake(fn: () => void): void } {
  let wake = () => {};
  return {
    composer: createEmailComposer(),
    clock,
    wake: () => wake(),
    setWake(fn) {
      wake = fn;
    },
  };
}
