import nodemailer from 'nodemailer';
import type { SmtpConfig } from '../config/index.ts';
import { DeliveryFailed, type MailTransport, type OutgoingEmail } from '../core/mail/sender.ts';

/** The SMTP transport behind core's MailTransport port (the only nodemailer import). */
export interface SmtpTransport extends MailTransport {
  /** Connects, negotiates TLS as configured, authenticates (doctor). Throws DeliveryFailed. */
  verify(): Promise<void>;
}

export function createSmtpTransport(smtp: SmtpConfig, options: { maxConnections?: number } = {}): SmtpTransport {
  const transporter = nodemailer.createTransport({
    pool: true,
    maxConnections: options.maxConnections ?? 4,
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === 'tls',
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'none',
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    tls: { minVersion: 'TLSv1.2', ...(smtp.tlsCa ? { ca: smtp.tlsCa } : {}) },
    connectionTimeout: smtp.connectTimeoutMs,
    greetingTimeout: smtp.connectTimeoutMs,
    socketTimeout: smtp.sendTimeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const domain = /@([^>\s]+)>?\s*$/.exec(smtp.from)?.[1] ?? 'authflow.invalid';
  return {
    async send(message: OutgoingEmail) {
      try {
        await transporter.sendMail({
          from: smtp.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: `<${message.id}@${domain}>`,
          headers: { 'Auto-Submitted': 'auto-generated' },
        });
      } catch (e) {
        throw toDeliveryFailed(e);
      }
    },
    async verify() {
      try {
        await transporter.verify();
      } catch (e) {
        throw toDeliveryFailed(e);
      }
    },
    close: () => transporter.close(),
  };
}

/**
 * A 5xx refusal of the envelope or the message (RFC 5321 §4.2.1: permanent)
 * is given up at once; 4xx, network, TLS and authentication failures are
 * retried, since an operator can fix the latter. The message keeps the
 * server's words (and the step: MAIL FROM, RCPT TO, DATA, STARTTLS, …) but
 * never an email address.
 */
export function toDeliveryFailed(e: unknown): DeliveryFailed {
  const err = e as { responseCode?: unknown; response?: unknown; code?: unknown; command?: unknown; message?: unknown };
  const status = typeof err.responseCode === 'number' ? err.responseCode : undefined;
  const said = typeof err.response === 'string' ? err.response : typeof err.message === 'string' ? err.message : 'unknown error';
  const text = redactAddresses(said).replace(/\s+/g, ' ').trim().slice(0, 300);
  const code = typeof err.code === 'string' ? err.code : undefined;
  const step = typeof err.command === 'string' && err.command !== 'API' ? err.command : undefined;
  const where = [step, code].filter(Boolean).join(', ');
  const permanent = status !== undefined && status >= 500 && status < 600 && (code === 'EENVELOPE' || code === 'EMESSAGE');
  return new DeliveryFailed(`${status !== undefined ? `SMTP ${status}` : 'SMTP'}${where ? ` (${where})` : ''}: ${text}`, permanent);
}

function redactAddresses(s: string): string {
  return s.replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, '[address]');
}
