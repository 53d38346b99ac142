import type { MailMessage, MailRequest } from '@latchkey/domain';

const PRODUCT = 'Latchkey';

const escapeHtml = (value: string): string =>
  value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');

/** `jo***@example.com`: enough for the owner to recognise, not a full address to a stranger. */
export const maskEmail = (email: string): string => {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email.slice(0, Math.min(2, at))}***${email.slice(at)}`;
};

/** The contract's link paths, always under `PUBLIC_URL` (never a request's Host). */
export const verificationLink = (publicUrl: string, token: string): string =>
  `${publicUrl}/api/v1/verify/${encodeURIComponent(token)}`;
export const resetLink = (publicUrl: string, token: string): string =>
  `${publicUrl}/account/reset-password?token=${encodeURIComponent(token)}`;

/** What rendering needs besides the request: the link base and the token lifetimes (seconds). */
export interface MailTemplateOptions {
  readonly publicUrl: string;
  readonly verifyTokenTtl: number;
  readonly resetTokenTtl: number;
}

/** `24 hours`, `30 minutes`. */
export const describeDuration = (seconds: number): string => {
  const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (seconds >= 3600 && seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  return plural(Math.max(1, Math.round(seconds / 60)), 'minute');
};

interface Content {
  readonly subject: string;
  /** Paragraphs of plain text (no markup). */
  readonly lines: readonly string[];
  readonly link: { readonly label: string; readonly url: string } | null;
  readonly footer: string;
}

const IGNORE = 'If you did not ask for this, you can ignore this message.';
const CONTACT = 'If this was not you, reset your password and contact support at once.';

const contentOf = (request: MailRequest, options: MailTemplateOptions): Content => {
  const { publicUrl } = options;
  switch (request.kind) {
    case 'verify_account':
      return {
        subject: `Verify your ${PRODUCT} account`,
        lines: ['Please confirm your email address to activate your account.'],
        link: { label: 'Verify my email', url: verificationLink(publicUrl, request.token) },
        footer: `The link works for ${describeDuration(options.verifyTokenTtl)}. ${IGNORE}`,
      };
    case 'verify_email_change':
      return {
        subject: `Confirm your new ${PRODUCT} email address`,
        lines: ['Please confirm this address to make it the email of your account.'],
        link: { label: 'Confirm this address', url: verificationLink(publicUrl, request.token) },
        footer: `Until then, your account keeps its current address. ${IGNORE}`,
      };
    case 'password_reset':
      return {
        subject: `Reset your ${PRODUCT} password`,
        lines: ['Someone asked to reset the password of your account.'],
        link: { label: 'Choose a new password', url: resetLink(publicUrl, request.token) },
        footer: `The link works once, for ${describeDuration(options.resetTokenTtl)}. ${IGNORE}`,
      };
    case 'password_changed':
      return {
        subject: `Your ${PRODUCT} password was ${request.how}`,
        lines: [
          `The password of your account was ${request.how}.`,
          request.how === 'reset'
            ? 'Every session was signed out.'
            : 'Every other session was signed out.',
        ],
        link: null,
        footer: CONTACT,
      };
    case 'email_changed':
      return {
        subject: `Your ${PRODUCT} email address was changed`,
        lines: [
          `The email address of your account was changed to ${maskEmail(request.newEmail)}.`,
          'Mail about the account now goes to the new address.',
        ],
        link: null,
        footer: CONTACT,
      };
  }
};

/** Renders a queued mail as plain text and HTML. */
export const renderMail = (request: MailRequest, options: MailTemplateOptions): MailMessage => {
  const content = contentOf(request, options);
  const greeting = request.displayName === null ? 'Hello,' : `Hello ${request.displayName},`;
  const text = [
    greeting,
    ...content.lines,
    ...(content.link ? [`${content.link.label}: ${content.link.url}`] : []),
    content.footer,
    `— ${PRODUCT}`,
  ].join('\n\n');
  const paragraphs = [greeting, ...content.lines].map((line) => `<p>${escapeHtml(line)}</p>`);
  const button = content.link
    ? `<p><a href="${escapeHtml(content.link.url)}">${escapeHtml(content.link.label)}</a></p>` +
      `<p style="font-size:12px;color:#555">${escapeHtml(content.link.url)}</p>`
    : '';
  const html =
    `<!doctype html><html><body style="font-family:sans-serif">${paragraphs.join('')}${button}` +
    `<p style="font-size:12px;color:#555">${escapeHtml(content.footer)}</p>` +
    `<p>— ${PRODUCT}</p></body></html>`;
  return {
    to: request.to,
    subject: content.subject,
    text: `${text}\n`,
    html,
    link: content.link?.url ?? null,
    kind: request.kind,
  };
};
