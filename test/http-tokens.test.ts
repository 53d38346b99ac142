import { createHmac, createPrivateKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import t from 'tap';
import { signUp, startTestServer } from './support/test-server.js';

const ts = await startTestServer();
const { app } = ts;
t.teardown(() => ts.close());

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decode = (part: string) =>
  JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>;

const user = await signUp(app);
const [realHeader, realPayload] = user.accessToken
  .split('.')
  .slice(0, 2)
  .map((p) => decode(p)) as [Record<string, unknown>, Record<string, unknown>];
const realKey = ts.server.keys.signingKey();

const signEd25519 = (header: object, payload: object, privateKeyPem: string): string => {
  const input = `${b64(header)}.${b64(payload)}`;
  const signature = sign(null, Buffer.from(input), createPrivateKey(privateKeyPem));
  return `${input}.${signature.toString('base64url')}`;
};

const me = (token: string) =>
  app.inject({
    method: 'GET',
    url: '/api/v1/users/me',
    headers: { authorization: `Bearer ${token}` },
  });

const now = Math.floor(Date.now() / 1000);

t.test('a correctly signed token works (control)', async (t) => {
  const token = signEd25519(
    realHeader,
    { ...realPayload, jti: realPayload.jti },
    realKey.privateKey,
  );
  t.equal((await me(token)).statusCode, 200);
});

t.test('attacks get 401 invalid_token', async (t) => {
  const attacker = generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const publicPem = (await ts.server.keys.publicKey(realKey.kid)) ?? '';
  const hsInput = `${b64({ alg: 'HS256', typ: 'JWT', kid: realKey.kid })}.${b64(realPayload)}`;
  const hsWithPublicKey = `${hsInput}.${createHmac('sha256', publicPem).update(hsInput).digest('base64url')}`;
  const hsEmptyInput = `${b64({ alg: 'HS256', typ: 'JWT', kid: realKey.kid })}.${b64(realPayload)}`;
  const hsEmptyKey = `${hsEmptyInput}.${createHmac('sha256', '').update(hsEmptyInput).digest('base64url')}`;
  const [h, p, s] = user.accessToken.split('.');
  const tampered = `${h}.${b64({ ...decode(p ?? ''), roles: ['admin'], perms: ['users:read'] })}.${s}`;

  const cases: Record<string, string> = {
    'alg none': `${b64({ alg: 'none', typ: 'JWT', kid: realKey.kid })}.${b64(realPayload)}.`,
    'HS256 signed with the public key': hsWithPublicKey,
    'HS256 with an empty key': hsEmptyKey,
    'forged kid': signEd25519(
      { ...realHeader, kid: randomUUID() },
      realPayload,
      attacker.privateKey,
    ),
    'real kid, attacker key': signEd25519(realHeader, realPayload, attacker.privateKey),
    'jku/jwk headers ignored': signEd25519(
      { ...realHeader, kid: 'attacker', jku: 'http://127.0.0.1:1/jwks.json', jwk: { kty: 'OKP' } },
      realPayload,
      attacker.privateKey,
    ),
    expired: signEd25519(
      realHeader,
      { ...realPayload, iat: now - 1000, exp: now - 100 },
      realKey.privateKey,
    ),
    'wrong iss': signEd25519(realHeader, { ...realPayload, iss: 'evil' }, realKey.privateKey),
    'wrong aud': signEd25519(realHeader, { ...realPayload, aud: 'other' }, realKey.privateKey),
    'iss as an array': signEd25519(
      realHeader,
      { ...realPayload, iss: ['evil', 'latchkey'] },
      realKey.privateKey,
    ),
    'missing sid': signEd25519(realHeader, { ...realPayload, sid: undefined }, realKey.privateKey),
    'unknown session': signEd25519(
      realHeader,
      { ...realPayload, sid: randomUUID() },
      realKey.privateKey,
    ),
    'tampered payload': tampered,
    'not a JWT': 'hello',
  };
  for (const [name, token] of Object.entries(cases)) {
    const res = await me(token);
    t.equal(res.statusCode, 401, name);
    t.equal(res.json().code, 'invalid_token', name);
    t.match(res.headers['www-authenticate'], /error="invalid_token"/, name);
  }
});

t.test('JWKS and key rotation', async (t) => {
  const before = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
  t.equal(before.statusCode, 200);
  const keys = before.json().keys as { kid: string; kty: string; crv: string; alg: string }[];
  t.ok(
    keys.some(
      (k) => k.kid === realKey.kid && k.kty === 'OKP' && k.crv === 'Ed25519' && k.alg === 'EdDSA',
    ),
  );
  t.notOk(JSON.stringify(before.json()).includes('"d"'), 'no private part');

  const newKid = await ts.server.keys.rotate();
  t.not(newKid, realKey.kid);
  const after = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json()
    .keys as { kid: string }[];
  t.ok(
    after.some((k) => k.kid === newKid),
    'new key published',
  );
  t.ok(
    after.some((k) => k.kid === realKey.kid),
    'previous key kept until its tokens expire',
  );
  t.equal((await me(user.accessToken)).statusCode, 200, 'old tokens keep working');
  const login = await signUp(app);
  t.equal(decode(login.accessToken.split('.')[0] ?? '').kid, newKid, 'new tokens use the new key');
});
