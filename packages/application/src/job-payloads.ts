import type { JobPayloads, MailRequest } from '@latchkey/domain';
import { MAIL_KINDS } from '@latchkey/domain';

/** A job payload that cannot be what its task expects (a bug or a tampered row: never retried into success). */
export class InvalidJobPayloadError extends Error {
  readonly code = 'invalid_job_payload';
  constructor(task: string, problem: string) {
    super(`${task}: invalid payload (${problem})`);
    this.name = 'InvalidJobPayloadError';
  }
}

type Fields = Readonly<Record<string, unknown>>;

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const str = (fields: Fields, key: string, task: string): string => {
  const value = fields[key];
  if (typeof value !== 'string' || value.length === 0)
    throw new InvalidJobPayloadError(task, `${key} must be a string`);
  return value;
};

const strOrNull = (fields: Fields, key: string, task: string): string | null =>
  fields[key] === null || fields[key] === undefined ? null : str(fields, key, task);

/** @returns the payload of a `send_mail` job, or throws InvalidJobPayloadError. */
export const parseMailRequest = (payload: unknown): MailRequest => {
  const task = 'send_mail';
  if (!isObject(payload)) throw new InvalidJobPayloadError(task, 'not an object');
  const kind = payload.kind;
  if (typeof kind !== 'string' || !(MAIL_KINDS as readonly string[]).includes(kind)) {
    throw new InvalidJobPayloadError(task, 'unknown kind');
  }
  const base = {
    to: str(payload, 'to', task),
    userId: str(payload, 'userId', task),
    displayName: strOrNull(payload, 'displayName', task),
  };
  switch (kind as MailRequest['kind']) {
    case 'verify_account':
    case 'verify_email_change':
    case 'password_reset':
      return { ...base, kind: kind as 'verify_account', token: str(payload, 'token', task) };
    case 'password_changed': {
      const how = payload.how;
      if (how !== 'changed' && how !== 'reset') throw new InvalidJobPayloadError(task, 'how');
      return { ...base, kind: 'password_changed', how };
    }
    case 'email_changed':
      return { ...base, kind: 'email_changed', newEmail: str(payload, 'newEmail', task) };
  }
};

/** @returns the payload of a `password_reset_requested` job, or throws InvalidJobPayloadError. */
export const parseResetRequest = (payload: unknown): JobPayloads['password_reset_requested'] => {
  const task = 'password_reset_requested';
  if (!isObject(payload)) throw new InvalidJobPayloadError(task, 'not an object');
  return { email: str(payload, 'email', task) };
};
