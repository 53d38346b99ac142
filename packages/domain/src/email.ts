import { ValidationError } from './errors.js';

/** Longest email accepted (RFC 5321 path limit). */
export const EMAIL_MAX_LENGTH = 254;

// Deliberately simple: one @, a dot in the domain, no whitespace or control characters.
const EMAIL_PATTERN = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u;

/** Trims an email as typed; the stored spelling keeps its case. */
export const normalizeEmail = (raw: string): string => raw.trim();

/** The case-insensitive key two emails are compared by. */
export const emailKey = (email: string): string => normalizeEmail(email).toLowerCase();

/** @returns true when the two addresses are the same ignoring case and surrounding spaces. */
export const sameEmail = (a: string, b: string): boolean => emailKey(a) === emailKey(b);

/** @returns the trimmed email, or throws ValidationError naming `path`. */
export const parseEmail = (raw: string, path = '/email'): string => {
  const email = normalizeEmail(raw);
  if (email.length === 0 || email.length > EMAIL_MAX_LENGTH || !EMAIL_PATTERN.test(email)) {
    throw new ValidationError([{ path, message: 'must be a valid email address' }]);
  }
  return email;
};
