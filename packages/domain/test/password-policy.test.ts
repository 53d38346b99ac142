import fc from 'fast-check';
import t from 'tap';
import {
  COMMON_PASSWORDS,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  ValidationError,
  checkPasswordPolicy,
  codePointLength,
  isCommonPassword,
  normalizePassword,
  passwordTooLong,
} from '../src/index.js';

/** @returns null when accepted, else the message of the ValidationError on /password. */
const messageOf = (password: string, email: string | null = null): string | null => {
  try {
    checkPasswordPolicy(password, email);
    return null;
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const [first] = err.errors;
    return first?.path === '/password' ? first.message : `unexpected path ${first?.path}`;
  }
};

t.test('length is counted in code points of the NFKC form: 8 to 128', async (t) => {
  t.equal(PASSWORD_MIN_LENGTH, 8);
  t.equal(PASSWORD_MAX_LENGTH, 128);
  t.match(messageOf('seven77'), /at least 8/);
  t.equal(messageOf('tulip-88'), null);
  t.equal(messageOf('zq'.repeat(64)), null);
  t.match(messageOf('zq'.repeat(64) + 'z'), /at most 128/);
  t.equal(messageOf('😀'.repeat(128)), null, '128 astral code points');
  t.match(messageOf('😀'.repeat(129)), /at most 128/);
  t.equal(messageOf('ﬃ'.repeat(3)), null, '3 ligatures are 9 characters once normalised');
  t.match(messageOf('ｘ'.repeat(7)), /at least 8/, 'full-width letters normalise one to one');
  t.equal(codePointLength('a😀b'), 3);
});

t.test('common passwords are refused, in any case and any NFKC spelling', async (t) => {
  t.ok(COMMON_PASSWORDS.size > 10_000, 'the bundled list is loaded');
  t.ok(isCommonPassword('password123'));
  t.ok(isCommonPassword('PASSWORD123'));
  t.notOk(isCommonPassword('correct horse battery staple'));
  t.match(messageOf('password123'), /too common/);
  t.match(messageOf('Password123'), /too common/);
  t.match(messageOf('ｐａｓｓｗｏｒｄ１２３'), /too common/);
});

t.test('a password equal to the email (ignoring case) is refused', async (t) => {
  t.match(
    messageOf('Ada.Lovelace@Example.com', 'ada.lovelace@example.com'),
    /must not equal the email/,
  );
  t.equal(messageOf('Ada.Lovelace@Example.org', 'ada.lovelace@example.com'), null);
  t.equal(messageOf('Ada.Lovelace@Example.com', null), null, 'no email, no comparison');
});

t.test('returns the NFKC form and changes nothing else', async (t) => {
  t.equal(
    checkPasswordPolicy('  Ｃorrect Horse  ', null),
    '  Correct Horse  ',
    'no trimming, no case folding',
  );
  t.equal(normalizePassword('ﬁne'), 'fine');
  t.throws(() => checkPasswordPolicy('short', null, '/newPassword'), {
    errors: [{ path: '/newPassword' }],
  });
});

t.test('passwordTooLong looks at the NFKC form too', async (t) => {
  t.notOk(passwordTooLong('x'.repeat(128)));
  t.ok(passwordTooLong('x'.repeat(129)));
  t.ok(passwordTooLong('ﬃ'.repeat(43)), '43 ligatures are 129 characters');
});

t.test(
  'property: two spellings with one NFKC form get the same verdict and the same result',
  async (t) => {
    fc.assert(
      fc.property(fc.string({ minLength: 0, maxLength: 140, unit: 'binary' }), (raw) => {
        const spelled = raw.normalize('NFKD');
        const verdict = (p: string) => {
          try {
            return checkPasswordPolicy(p, null);
          } catch (err) {
            return (err as ValidationError).errors[0]?.message ?? 'error';
          }
        };
        return verdict(raw) === verdict(spelled);
      }),
    );
    t.pass('NFKD and the original spelling agree');
  },
);
