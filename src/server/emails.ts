import type { ComposedEmail, EmailComposer, EmailTemplate } from '../core/mail/mail.ts';
import { settingsOf, type Tenant } from '../core/tenants/tenant.ts';
import { renderSource, renderText, renderTemplate } from './views.ts';

/**
 * Renders emails from templates/email/: `<name>.txt` (first line
 * `Subject: …`, then a blank line, then the text body) and `<name>.html`
 * inside `layout.html`. Values are HTML-escaped in the HTML part only.
 *
 * A tenant may override any of subject, text and HTML per template in its
 * settings (`emails.<template>.{subject,text,html}`, same Mustache subset);
 * the HTML override is the body inside the layout and its values are
 * escaped too. An override that does not parse falls back to the default.
 */
export function createEmailComposer(): EmailComposer {
  return {
    compose(tenant: Tenant, template: EmailTemplate, vars: Readonly<Record<string, string>>): ComposedEmail {
      const [first = '', ...rest] = renderText(`email/${template}.txt`, vars).split('\n');
      if (!first.startsWith('Subject: ')) throw new Error(`email template ${template}.txt must start with "Subject: "`);
      const own = settingsOf(tenant).emails[template] ?? {};
      const subject = oneLine(custom(own.subject, vars, 'text') ?? first.slice('Subject: '.length));
      const text = custom(own.text, vars, 'text') ?? rest.join('\n').replace(/^\n+/, '');
      const body = custom(own.html, vars, 'html') ?? renderTemplate(`email/${template}.html`, vars);
      const html = renderTemplate('email/layout.html', { ...vars, subject, body });
      return { subject, text, html };
    },
  };
}

function custom(source: string | undefined, vars: Readonly<Record<string, string>>, mode: 'html' | 'text'): string | undefined {
  if (source === undefined || source.trim() === '') return undefined;
  try {
    return renderSource(source, vars, mode);
  } catch {
    return undefined;
  }
}

/** A subject is one header line: no CR/LF whatever a value or an override holds. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').trim();
}
