import type { ComposedEmail, EmailComposer, EmailTemplate } from '../core/mail/mail.ts';
import type { Tenant } from '../core/tenants/tenant.ts';
import { renderText, renderTemplate } from './views.ts';

/**
 * Renders emails from templates/email/: `<name>.txt` (first line
 * `Subject: …`, then a blank line, then the text body) and `<name>.html`
 * inside `layout.html`. Values are HTML-escaped in the HTML part only.
 */
export function createEmailComposer(): EmailComposer {
  return {
    compose(_tenant: Tenant, template: EmailTemplate, vars: Readonly<Record<string, string>>): ComposedEmail {
      const [first = '', ...rest] = renderText(`email/${template}.txt`, vars).split('\n');
      if (!first.startsWith('Subject: ')) throw new Error(`email template ${template}.txt must start with "Subject: "`);
      const subject = first.slice('Subject: '.length).trim();
      const text = rest.join('\n').replace(/^\n+/, '');
      const html = renderTemplate('email/layout.html', { ...vars, subject, body: renderTemplate(`email/${template}.html`, vars) });
      return { subject, text, html };
    },
  };
}
