import t from 'tap';
import { runCli } from '@latchkey/server';
import { signUp, startTestServer } from './support/test-server.js';

const ts = await startTestServer();
t.teardown(() => ts.close());

const cli = async (...argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    env: {
      APP_ENV: 'test',
      DATABASE_URL: ts.databaseUrl,
      KEY_ENCRYPTION_KEY: ts.config.keyEncryptionKey ?? '',
      DATA_DIR: ts.config.dataDir,
    },
    stdout: (line: string) => out.push(line),
    stderr: (line: string) => err.push(line),
  });
  return { code, out: out.join(''), err: err.join('') };
};

t.test('keys rotate: a new key, the old one kept for its tokens', async (t) => {
  const before = ts.server.keys.signingKey().kid;
  const user = await signUp(ts.app);
  const rotated = await cli('keys', 'rotate');
  t.equal(rotated.code, 0, rotated.err);
  const kid = /new signing key (\S+)/.exec(rotated.out)?.[1];
  t.ok(kid && kid !== before, 'prints the new kid');

  const list = await cli('keys', 'list');
  t.equal(list.code, 0);
  t.match(list.out, new RegExp(`${kid} EdDSA .* current`));
  t.match(list.out, new RegExp(`${before} EdDSA .* retired`));

  // The running instance learns the new key on its next reload (or an unknown kid).
  await ts.server.keys.reload();
  t.equal(ts.server.keys.signingKey().kid, kid, 'the server signs with the new key');
  const jwks = (await ts.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json()
    .keys as { kid: string }[];
  t.same(jwks.map((k) => k.kid).sort(), [before, kid].sort(), 'both keys published');
  const me = await ts.app.inject({
    method: 'GET',
    url: '/api/v1/users/me',
    headers: { authorization: `Bearer ${user.accessToken}` },
  });
  t.equal(me.statusCode, 200, 'tokens of the previous key still verify');
});

t.test('keys: bad usage exits 2 with one line', async (t) => {
  const res = await cli('keys', 'spin');
  t.equal(res.code, 2);
  t.match(res.err, /unknown action "spin"/);
});
