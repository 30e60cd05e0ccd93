// The packaged extension (npm run package -> capsule.vsix) installs into code-server
// and works there: its lens shows, its views open, and a task runs in its sandbox.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO, startCodeServer } from './codeServer';
import { capsuleView, launchBrowser, lenses, openCapsuleView, openFile, runRows, waitFor, waitForWorkbench } from './workbench';

test('the .vsix installs in code-server, shows its lens and views, and runs a task', { timeout: 180_000 }, async () => {
  const vsix = join(REPO, 'capsule.vsix');
  assert.ok(existsSync(vsix), `${vsix} is missing: run \`npm run package\` first`);
  const server = await startCodeServer({ vsix });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.workbenchUrl());
    await waitForWorkbench(page);
    await openFile(page, 'examples/hello.py');
    await waitFor('the Run task lens from the installed vsix', async () => (await lenses(page).allInnerTexts()).some((t) => t.includes('Run task')), 30_000);
    await openCapsuleView(page);
    assert.ok(await capsuleView(page).locator('.pane-header', { hasText: /Task Runs/i }).count());
    // The packaged sandbox runs: the same lens click as a user's first run.
    await lenses(page).filter({ hasText: 'Run task' }).first().click();
    const row = await waitFor('the run from the installed vsix to end', async () => {
      const t = (await runRows(page).allInnerTexts()).join(' ').replace(/\s+/g, ' ');
      return /completed|failed|timed out|interrupted/.test(t) ? t : undefined;
    }, 60_000);
    assert.match(row, /^main\s*completed/);
  } finally {
    await browser.close();
    await server.stop();
  }
});
