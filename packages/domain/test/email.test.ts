import t from 'tap';
import {
  EMAIL_MAX_LENGTH,
  ValidationError,
  emailKey,
  normalizeEmail,
  parseEmail,
  sameEmail,
} from '../src/index.js';

t.test('normalizeEmail trims and keeps the case; emailKey also lowercases', async (t) => {
  t.equal(normalizeEmail('  Ada@Example.COM\t'), 'Ada@Example.COM');
  t.equal(emailKey('  Ada@Example.COM\n'), 'ada@example.com');
});

t.test('sameEmail ignores case and surrounding spaces', async (t) => {
  t.ok(sameEmail('ADA@example.com ', ' ada@EXAMPLE.com'));
  t.notOk(sameEmail('ada@example.com', 'ada@example.org'));
});

t.test('parseEmail accepts plain addresses and returns them trimmed', async (t) => {
  t.equal(parseEmail(' first.last+tag@sub.example.co.uk '), 'first.last+tag@sub.example.co.uk');
  t.equal(parseEmail('用户@例子.广告'), '用户@例子.广告');
  const longest = `${'a'.repeat(EMAIL_MAX_LENGTH - '@example.com'.length)}@example.com`;
  t.equal(parseEmail(longest), longest, `${EMAIL_MAX_LENGTH} characters`);
});

t.test('parseEmail refuses what is not an address, naming the path', async (t) => {
  for (const bad of [
    '',
    '   ',
    'plain',
    'a@b',
    '@example.com',
    'a@@example.com',
    'a b@example.com',
    'a@exa mple.com',
    'a\u0000@example.com',
    `${'a'.repeat(EMAIL_MAX_LENGTH)}@example.com`,
  ]) {
    t.throws(() => parseEmail(bad), ValidationError, JSON.stringify(bad));
  }
  try {
    parseEmail('nope', '/newEmail');
    t.fail('should throw');
  } catch (err) {
    t.same((err as ValidationError).errors, [
      { path: '/newEmail', message: 'must be a valid email address' },
    ]);
  }
});
