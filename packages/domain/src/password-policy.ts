import { isCommonPassword } from './common-passwords.js';
import { emailKey } from './email.js';
import { ValidationError } from './errors.js';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/** NFKC normal form: the one spelling a password is hashed and verified in. Nothing else changes. */
export const normalizePassword = (password: string): string => password.normalize('NFKC');

/** Length in Unicode code points. */
export const codePointLength = (value: string): number => [...value].length;

/**
 * Checks the contract's password policy on the NFKC form.
 * @returns the normalised password, or throws ValidationError naming `path`.
 */
export const checkPasswordPolicy = (
  password: string,
  email: string | null,
  path = '/password',
): string => {
  const normalized = normalizePassword(password);
  const length = codePointLength(normalized);
  const fail = (message: string): never => {
    throw new ValidationError([{ path, message }]);
  };
  if (length < PASSWORD_MIN_LENGTH) fail(`must be at least ${PASSWORD_MIN_LENGTH} characters`);
  if (length > PASSWORD_MAX_LENGTH) fail(`must be at most ${PASSWORD_MAX_LENGTH} characters`);
  if (isCommonPassword(normalized)) fail('is too common');
  if (email !== null && emailKey(normalized) === emailKey(email)) fail('must not equal the email');
  return normalized;
};

/** @returns true when the password is too long to be worth hashing (checked before any hashing). */
export const passwordTooLong = (password: string): boolean =>
  codePointLength(normalizePassword(password)) > PASSWORD_MAX_LENGTH;
