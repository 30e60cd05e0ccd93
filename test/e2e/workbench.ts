// Playwright helpers for the VS Code 1.100 workbench in code-server. Every wait polls
// with a deadline; nothing sleeps a fixed time.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { REPO, startCodeServer, type CodeServer } from './code-server';
import { poll } from '../poll';

export const RESULTS = join(REPO, 'test-results');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** Polls `probe` every 100 ms (the workbench redraws slowly) until it gives a value, or fails with `what` after `ms`. */
export function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, ms = 20_000): Promise<T> {
  return poll(what, probe, ms, 100);
}

/** One code-server and browser page for a describe() block: `page` and `server` are set in its before(). */
export interface Workbench {
  page: Page;
  server: CodeServer;
  /** Screenshots taken, listed when the block ends. */
  shots: string[];
  /** A test that leaves a screenshot of the window (named failure-PREFIX-N) when it fails. */
  test(name: string, body: () => Promise<void>): void;
}

/** Call inside describe(): starts code-server with a fresh workspace, opens it, and stops it after. */
export function useWorkbench(viewport: { width: number; height: number }, failurePrefix: string): Workbench {
  let browser: Browser | undefined;
  const wb = {
    shots: [] as string[],
    test(name: string, body: () => Promise<void>): void {
      test(name, async () => {
        try {
          await body();
        } catch (err) {
          await screenshot(wb.page, `${failurePrefix}${name.split('.')[0]}`).catch(() => undefined);
          throw err;
        }
      });
    },
  } as Workbench;
  before(async () => {
    wb.server = await startCodeServer();
    browser = await launchBrowser();
    wb.page = await browser.newPage({ viewport });
    await wb.page.goto(wb.server.workbenchUrl());
    await waitForWorkbench(wb.page);
  });
  after(async () => {
    await browser?.close();
    await wb.server?.stop();
    if (wb.shots.length) console.log(`screenshots:\n  ${wb.shots.join('\n  ')}`);
  });
  return wb;
}

/** Clicks the first code lens whose text matches, once one is drawn. */
export async function clickLens(page: Page, text: string | RegExp): Promise<void> {
  const lens = await waitFor(`the "${text}" lens`, async () => {
    const l = lenses(page).filter({ hasText: text }).first();
    return (await l.count()) ? l : undefined;
  }, 30_000);
  await lens.click();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

export async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator('.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
}

/** Runs a command from the palette by its title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  // F1 can be lost while the last quick pick is still closing (or a webview has focus): press again until it opens.
  await waitFor('the command palette', async () => {
    if (await input.isVisible()) return true;
    await page.keyboard.press('F1');
    return input.waitFor({ state: 'visible', timeout: 2_000 }).then(() => true, () => false);
  }, 20_000);
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** Opens a workspace file with Quick Open and waits for its tab to be active. */
export async function openFile(page: Page, relPath: string): Promise<void> {
  const name = relPath.split('/').pop()!;
  const input = page.locator('.quick-input-widget input');
  // The list first shows recent files, and a fresh window may not have searched the folder
  // yet: (re)open quick open and type again until the top entry is the one asked for.
  await waitFor(`quick open to list ${relPath}`, async () => {
    if (!(await input.isVisible())) {
      await page.keyboard.press('Control+P');
      if (!(await input.waitFor({ state: 'visible', timeout: 2_000 }).then(() => true, () => false))) return false;
    }
    if ((await input.inputValue()) !== relPath) await input.fill(relPath);
    const first = page.locator('.quick-input-list .monaco-list-row').first();
    const found = await first.waitFor({ state: 'visible', timeout: 2_000 }).then(async () => (await first.getAttribute('aria-label'))?.startsWith(name), () => false);
    if (!found) await input.fill('');
    return found;
  }, 45_000);
  await page.keyboard.press('Enter');
  await page.locator(`.tab.active[aria-label^="${name}"]`).first().waitFor({ state: 'visible', timeout: 15_000 });
  await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ state: 'visible' });
}

export function lenses(page: Page): Locator {
  return page.locator('.editor-instance .monaco-editor .codelens-decoration a');
}

export function capsuleView(page: Page): Locator {
  return page.locator('[id="workbench.view.extension.capsule"]');
}

export async function openCapsuleView(page: Page): Promise<void> {
  const entry = page.locator('.activitybar .action-item', { has: page.locator('[aria-label^="Capsule"]') }).first();
  await entry.waitFor({ state: 'visible', timeout: 20_000 });
  // Click only when the view is not showing: clicking the active entry hides the sidebar
  // (after a reload the entry can be checked while the sidebar is hidden).
  await waitFor('the Capsule view to show', async () => {
    if (await capsuleView(page).isVisible()) return true;
    await entry.click();
    return capsuleView(page).waitFor({ state: 'visible', timeout: 2_000 }).then(() => true, () => false);
  }, 15_000);
}

/** The rows of the Task Runs view (its tree is the first list in the container). */
export function runRows(page: Page): Locator {
  return capsuleView(page).locator('.pane', { has: page.locator('.pane-header[aria-label^="Task Runs"]') }).locator('.monaco-list-row');
}

/** The text drawn in the Output panel's editor. */
export async function outputText(page: Page): Promise<string> {
  const lines = page.locator('.part.panel .monaco-editor .view-lines');
  if ((await lines.count()) === 0) return '';
  return (await lines.first().innerText()).replace(/\u00a0/g, ' ');
}
