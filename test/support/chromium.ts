// Debian's Chromium, driven by playwright-core (no browser downloads): for the browser tests and the README's
// screenshots. Kept apart from browser.ts, which registers vitest hooks, so scripts can use it too.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const INSTALL_HINT = 'apt-get install -y chromium fonts-wqy-microhei';
const CHROMIUM_CANDIDATES = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'];
const CHINESE_FONT_DIR = '/usr/share/fonts/truetype/wqy';

/** Debian's Chromium (CHROMIUM_PATH overrides); a clear message when it or the Chinese font is not installed. */
export function chromiumPath(): string {
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : CHROMIUM_CANDIDATES;
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(`Chromium not found (looked for ${candidates.join(', ')}). The browser tests use the system Chromium: run \`${INSTALL_HINT}\`.`);
  }
  if (!existsSync(CHINESE_FONT_DIR)) {
    throw new Error(`No Chinese font (${CHINESE_FONT_DIR} is missing): screenshots would show boxes. Run \`${INSTALL_HINT}\`.`);
  }
  return found;
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--lang=zh-CN'],
  });
}
