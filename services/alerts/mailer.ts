import nodemailer from 'nodemailer';

/** One e-mail: plain text, optionally with attachments. */
export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  attachments?: { filename: string; content: Buffer; contentType: string }[];
}

/** Sends e-mail; absent (null) when SMTP is not configured. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/** SMTP settings (env.ts `smtpSettings`): a URL (`smtp://user:pass@host:587`, `smtps://…`) or host and port. */
export type SmtpSettings = {
  from: string;
} & ({ url: string } | { host: string; port: number; secure: boolean; user?: string; pass?: string });

/** The SMTP mailer (nodemailer, one pooled transport). */
export function createSmtpMailer(settings: SmtpSettings): Mailer {
  const transport =
    'url' in settings
      ? nodemailer.createTransport(settings.url)
      : nodemailer.createTransport({
          host: settings.host,
          port: settings.port,
          secure: settings.secure,
          ...(settings.user ? { auth: { user: settings.user, pass: settings.pass ?? '' } } : {}),
        });
  return {
    async send(message) {
      await transport.sendMail({ from: settings.from, ...message, to: message.to.join(', ') });
    },
    close: () => transport.close(),
  };
}
