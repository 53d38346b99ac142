import net from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import t, { type Test } from 'tap';
import { CHROMIUM_ARGS, isLoopbackUrl, requireChromium, screenshotDir } from './support/browser.js';
import { startOidcTestProvider } from './support/oauth/oidc-test-provider.js';
import { GOOD_PASSWORD, refreshCookieOf, startTestServer } from './support/test-server.js';

// End to end in a real browser: the running server (a real socket), the local OpenID provider,
// headless Chromium driven by playwright-core.
const executablePath = requireChromium(t);
if (executablePath !== undefined) await run(executablePath);

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function run(executable: string): Promise<void> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const provider = await startOidcTestProvider({
    clientId: 'latchkey-e2e',
    clientSecret: 'e2e-secret-0123456789',
    redirectUris: [`${base}/api/v1/oauth/oidc/callback`],
  });
  const ts = await startTestServer({
    PUBLIC_URL: base,
    OAUTH_OIDC_ISSUER: provider.issuer,
    OAUTH_OIDC_CLIENT_ID: 'latchkey-e2e',
    OAUTH_OIDC_CLIENT_SECRET: 'e2e-secret-0123456789',
  });
  await ts.app.listen({ host: '127.0.0.1', port });
  const browser: Browser = await chromium.launch({
    executablePath: executable,
    args: CHROMIUM_ARGS,
    headless: true,
  });
  t.teardown(async () => {
    await browser.close();
    await ts.close();
    await provider.close();
  });

  const email = `browser.${process.pid}.${Date.now()}@example.com`;
  const account = provider.addAccount({
    id: `e2e-${process.pid}`,
    email,
    emailVerified: true,
    name: 'Browser User',
  });

  const context = await browser.newContext();
  // Never off the machine: whatever is not 127.0.0.1 is refused before it leaves the browser.
  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLoopbackUrl(url) || url.startsWith('data:')) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  const page: Page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));

  /** Runs a step; on failure keeps a screenshot (and the page's errors) for the CI artifacts. */
  const step = async (name: string, body: (t: Test) => Promise<void>): Promise<void> => {
    await t.test(name, async (t) => {
      const thrown = await body(t).then(
        () => null,
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      );
      if (thrown !== null || !t.passing()) {
        const file = path.join(
          await screenshotDir(),
          `account-page-${name.replace(/\W+/g, '-')}.png`,
        );
        await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
        t.comment(`screenshot: ${file}; page errors: ${JSON.stringify(problems)}`);
      }
      if (thrown !== null) throw thrown;
    });
  };
  const visibleText = (selector: string) => page.locator(selector).innerText();

  await step('sign in with the provider on /account', async (t) => {
    const response = await page.goto(`${base}/account`);
    t.equal(response?.status(), 200);
    t.notMatch(String(response?.headers()['content-security-policy']), /unsafe-inline/);
    await page.getByRole('button', { name: 'Sign in with OpenID Connect' }).click();
    // The provider's own sign-in page.
    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.locator('input[name="login"]').fill(account.id);
    await page.locator('input[name="password"]').fill('anything');
    await page.locator('button[type="submit"]').click();
    await page.waitForURL(`${base}/account`);
    await page.locator('#account').waitFor({ state: 'visible' });
    t.equal(await visibleText('#profile-email'), email);
    t.equal(await visibleText('#profile-status'), 'active');
  });

  await step('the provider is listed', async (t) => {
    const item = page.locator('#provider-list li[data-provider="oidc"]');
    await item.waitFor();
    t.match(
      await item.innerText(),
      new RegExp(`OpenID Connect \\(${email.replaceAll('.', '\\.')}\\)`),
    );
  });

  await step('set a first password (no current password)', async (t) => {
    await page.locator('#password-form input[name="newPassword"]').fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.locator('#notice', { hasText: 'Your password was set' }).waitFor();
    const login = await fetch(`${base}/api/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: GOOD_PASSWORD }),
    });
    t.equal(login.status, 200, 'the password signs in');
  });

  await step('disconnect the provider', async (t) => {
    await page.getByRole('button', { name: 'Disconnect OpenID Connect' }).click();
    await page.locator('#no-providers').waitFor({ state: 'visible' });
    t.equal(await page.locator('#provider-list li').count(), 0);
    await page.getByRole('button', { name: 'Connect OpenID Connect' }).waitFor();
  });

  await step('revoke another session', async (t) => {
    const other = await fetch(`${base}/api/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'OtherDevice/1.0' },
      body: JSON.stringify({ email, password: GOOD_PASSWORD }),
    });
    const refresh = refreshCookieOf(other.headers.getSetCookie());
    t.ok(refresh);
    await page.reload();
    const row = page.locator('#session-list li', { hasText: 'OtherDevice/1.0' });
    await row.waitFor();
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.locator('#notice', { hasText: 'The session was revoked' }).waitFor();
    await page
      .locator('#session-list li', { hasText: 'OtherDevice/1.0' })
      .waitFor({ state: 'detached' });
    t.equal(
      await page.locator('#session-list li', { hasText: 'This session' }).count(),
      1,
      'this session stays',
    );
    const dead = await fetch(`${base}/api/v1/refresh`, {
      method: 'POST',
      headers: { cookie: `refresh_token=${refresh}` },
    });
    t.equal(dead.status, 401, 'the revoked session cannot refresh');
  });

  await step('sign out', async (t) => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#sign-in').waitFor({ state: 'visible' });
    await page.reload();
    await page.locator('#sign-in').waitFor({ state: 'visible' });
    t.same(
      problems.filter((p) => !/Failed to load resource/.test(p)),
      [],
      'no page errors',
    );
    t.same(
      blocked.filter((url) => !url.startsWith('https://fonts.googleapis.com/')),
      [],
      'nothing but the provider page font was asked for off the machine',
    );
  });
}
