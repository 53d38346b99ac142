import t from 'tap';
import * as domain from '../src/index.js';
import {
  DOMAIN_ERROR_CODES,
  DomainError,
  RateLimitedError,
  ServiceUnavailableError,
  ValidationError,
} from '../src/index.js';

type ErrorClass = new (...args: never[]) => DomainError;

const errorClasses = Object.entries(domain).flatMap(([name, value]): [string, ErrorClass][] =>
  typeof value === 'function' && value.prototype instanceof DomainError
    ? [[name, value as unknown as ErrorClass]]
    : [],
);

t.test('every error class has a known literal code and its own name', async (t) => {
  t.ok(errorClasses.length >= DOMAIN_ERROR_CODES.length - 1);
  const seen = new Set<string>();
  for (const [name, ErrorClass] of errorClasses) {
    const err =
      ErrorClass === (ValidationError as unknown)
        ? new ValidationError([{ path: '/x', message: 'bad' }])
        : ErrorClass === (RateLimitedError as unknown)
          ? new RateLimitedError(3)
          : ErrorClass === (ServiceUnavailableError as unknown)
            ? new ServiceUnavailableError(2)
            : new (ErrorClass as unknown as new (message?: string) => DomainError)('message');
    t.ok(DOMAIN_ERROR_CODES.includes(err.code), `${name}: ${err.code}`);
    t.equal(err.name, name);
    t.ok(err instanceof Error);
    seen.add(err.code);
  }
  t.same([...seen].sort(), [...DOMAIN_ERROR_CODES].sort(), 'every code has a class');
});

t.test('the cause is passed on', async (t) => {
  const cause = new Error('driver');
  t.equal(new domain.EmailTakenError('taken', { cause }).cause, cause);
});

t.test('ValidationError lists its field errors', async (t) => {
  const err = new ValidationError([
    { path: '/email', message: 'bad' },
    { path: '/password', message: 'short' },
  ]);
  t.equal(err.message, '/email: bad; /password: short');
  t.equal(err.errors.length, 2);
});

t.test('retry hints', async (t) => {
  t.equal(new RateLimitedError(7).retryAfterSeconds, 7);
  const busy = new ServiceUnavailableError(1);
  t.equal(busy.retryAfterSeconds, 1);
  t.equal(busy.message, 'service temporarily unavailable');
  t.equal(new ServiceUnavailableError(1, 'queue full').message, 'queue full');
});
