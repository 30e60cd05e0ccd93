// The packaged extension (npm run package -> capsule.vsix) installs into code-server
// and works there: its lens shows, its views open, and a task runs in its sandbox.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO, startCodeServer } from './code-server';
import { capsuleView, launchBrowser, lenses, openCapsuleView, openFile, runRows, screenshot, waitFor, waitForWorkbench } from './workbench';

test('the .vsix installs in code-server, shows its lens and views, and runs a task', { timeout: 180_000 }, async () => {
  const vsix = join(REPO, 'capsule.vsix');
  assert.ok(existsSync(vsix), `${vsix} is missing: run \`npm run package\` first`);
  const server = await startCodeServer({ vsix });
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    await page.goto(server.workbenchUrl());
    await waitForWorkbench(page);
    await openFile(page, 'examples/hello.py');
    await waitFor('the Run task lens from the installed vsix', async () => (await lenses(page).allInnerTexts()).some((t) => t.includes('Run task')), 30_000);
    await openCapsuleView(page);
    assert.ok(await capsuleView(page).locator('.pane-header', { hasText: /Task Runs/i }).count());
    // The packaged sandbox runs: the same lens click as a user's first run. A click landing
    // while VS Code replaces the lenses fails ("Actual command not found", microsoft/vscode#84153):
    // 2 first clicks in 40 runs did, before the extension stopped asking for lenses that had not
    // changed (0 in 30 after). Should one still race a refresh, the test clicks again once no
    // run shows in 15 s, as a user would, saying so and leaving a screenshot.
    let clicks = 0;
    await waitFor('a run started by the Run task lens', async () => {
      if (clicks++ > 0) { console.log(`vsix e2e: the lens click ${clicks - 1} started no run in 15 s; clicking again`); await screenshot(page, 'vsix-lens-click-retry').catch(() => undefined); }
      await lenses(page).filter({ hasText: 'Run task' }).first().click();
      return runRows(page).first().waitFor({ state: 'visible', timeout: 15_000 }).then(() => true, () => false);
    }, 50_000);
    const row = await waitFor('the run from the installed vsix to end', async () => {
      const t = (await runRows(page).allInnerTexts()).join(' ').replace(/\s+/g, ' ');
      return /completed|failed|timed out|interrupted/.test(t) ? t : undefined;
    }, 60_000);
    assert.match(row, /^main\(\)\s*completed/);
    // The details view's script and stylesheet are in the package: the page is styled, and
    // its Re-run button (handled by the script) starts a second run.
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    // A click landing while the tree re-renders can lose its command: click until the page shows.
    await waitFor('the run\'s details', async () => {
      await runRows(page).first().click();
      return frame.locator('h1').waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false);
    }, 45_000);
    const radius = await frame.locator('.badge').evaluate((b) => (globalThis as unknown as { getComputedStyle(e: unknown): { borderTopLeftRadius: string } }).getComputedStyle(b).borderTopLeftRadius);
    assert.equal(radius, '10px', 'details-style.css is packaged and loaded');
    const before = await runRows(page).count();
    await frame.locator('button[data-action="rerun"]').click();
    await waitFor('the re-run from the details view', async () => (await runRows(page).count()) > before, 30_000);
  } catch (err) {
    await screenshot(page, 'failure-vsix').catch(() => undefined);
    throw err;
  } finally {
    await browser.close();
    await server.stop();
  }
});
