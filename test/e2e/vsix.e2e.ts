// The packaged extension (npm run package -> capsule.vsix) installs into code-server
// and works there: its lens shows and its view container opens.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO, startCodeServer } from './codeServer';
import { capsuleView, launchBrowser, lenses, openCapsuleView, openFile, waitFor, waitForWorkbench } from './workbench';

test('the .vsix installs in code-server and shows its lens and views', { timeout: 180_000 }, async () => {
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
  } finally {
    await browser.close();
    await server.stop();
  }
});
