import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import t from 'tap';
import { startTestServer } from './support/test-server.js';

/** Swagger UI works under its page CSP: it renders and the browser reports no violation. */
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

if (!existsSync(executablePath)) {
  t.plan(0, `no browser at ${executablePath} (set CHROMIUM_PATH)`);
} else {
  t.test('/docs renders with no CSP violation', async (t) => {
    const ts = await startTestServer();
    t.teardown(() => ts.close());
    await ts.app.listen({ host: '127.0.0.1', port: 0 });
    const address = ts.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const browser = await chromium.launch({
      executablePath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    t.teardown(() => browser.close());
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|CSP/i.test(m.text())) violations.push(m.text());
    });
    // Runs in the page (a string: this program has no DOM types).
    await page.addInitScript({
      content: `document.addEventListener('securitypolicyviolation', (e) =>
        console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));`,
    });
    await page.goto(`http://127.0.0.1:${port}/docs`);
    await page.waitForSelector('.opblock', { timeout: 30_000 });
    t.ok((await page.locator('.opblock').count()) > 10, 'the operations are rendered');
    await page.locator('.opblock-summary').first().click();
    await page.getByText('Try it out').first().click();
    await page.waitForTimeout(500);
    t.same(violations, [], 'no CSP violation');
  });
}
