import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestLike } from '../helpers/services.js';

/** Debian's `chromium` package; `CHROMIUM_PATH` points elsewhere (e.g. a runner's Chrome). */
export const chromiumPath = (): string => process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags that work on these machines (see the machine notes). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Loopback only: no name ever resolves (the local provider's page imports a web font).
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

/** @returns true for a URL on 127.0.0.1 (the only host the browser tests may reach). */
export const isLoopbackUrl = (url: string): boolean => {
  try {
    const { hostname, protocol } = new URL(url);
    return (protocol === 'http:' || protocol === 'https:') && hostname === '127.0.0.1';
  } catch {
    return false;
  }
};

/**
 * @returns the Chromium executable, or undefined after failing the test when
 * `LATCHKEY_REQUIRE_SERVICES=1` (CI) or skipping it with the reason otherwise.
 */
export const requireChromium = (t: TestLike): string | undefined => {
  const executable = chromiumPath();
  if (existsSync(executable)) return executable;
  const reason = `Chromium not found at ${executable} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  if (process.env.LATCHKEY_REQUIRE_SERVICES === '1')
    t.fail(`${reason} (LATCHKEY_REQUIRE_SERVICES=1)`);
  else t.plan(0, reason);
  return undefined;
};

/** Where failure screenshots go: `LATCHKEY_SCREENSHOT_DIR`, else `.tap/screenshots` (kept by CI). */
export const screenshotDir = async (): Promise<string> => {
  const dir =
    process.env.LATCHKEY_SCREENSHOT_DIR ??
    path.join(fileURLToPath(new URL('../..', import.meta.url)), '.tap', 'screenshots');
  await mkdir(dir, { recursive: true });
  return dir;
};
