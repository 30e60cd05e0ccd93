// The end-to-end suite in a real VS Code (code-server 4.100.3 + Debian's chromium):
// what a user sees and clicks. Run with `npm run test:e2e` after test/e2e/setup.sh.
import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import type { Page } from 'playwright-core';
import {
  capsuleView, clickLens, lenses, openCapsuleView, openFile, outputText, runCommand, runRows, screenshot, useWorkbench, waitFor, waitForWorkbench,
} from './workbench';

let page: Page;

/** The Task Runs row of a task (its label is the call: `main()`, `add(2, 3)`), once it exists. */
function row(taskName: string) {
  return runRows(page).filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${taskName}(\\(.*\\))?$`) }) }).first();
}

async function rowText(taskName: string): Promise<string> {
  const r = row(taskName);
  return (await r.count()) ? (await r.innerText()).replace(/\s+/g, ' ') : '';
}

describe('Capsule in VS Code (code-server)', { timeout: 240_000 }, () => {
  const wb = useWorkbench({ width: 1400, height: 900 }, 'failure-');
  before(() => {
    page = wb.page;
  });

  wb.test('1. opening examples/hello.py shows the Run task lens', async () => {
    await openFile(page, 'examples/hello.py');
    const texts = await waitFor('lenses above the task', async () => {
      const t = await lenses(page).allInnerTexts();
      return t.some((x) => x.includes('Run task')) ? t : undefined;
    }, 30_000);
    assert.ok(texts.some((t) => t.includes('Run with arguments')), `lenses: ${texts.join(' | ')}`);
    wb.shots.push(await screenshot(page, 'lens'));
  });

  wb.test('2. clicking Run task: the run reaches completed and the output shows its result', async () => {
    await openFile(page, 'examples/hello.py');
    await openCapsuleView(page);
    await clickLens(page, 'Run task');
    await waitFor('a "main" row in Task Runs', async () => (await row('main').count()) > 0, 20_000);
    await runCommand(page, 'Capsule: Show Output');
    const text = await waitFor('the run to complete', async () => {
      const t = await rowText('main');
      assert.doesNotMatch(t, /failed|timed out|interrupted/, `the run ended badly: ${t}`);
      return /completed/.test(t) ? t : undefined;
    }, 60_000);
    assert.match(text, /completed · \d+(\.\d+)? m?s · hello\.py/);
    const out = await waitFor('Hello from Capsule! in the output', async () => {
      const o = await outputText(page);
      return o.includes('Hello from Capsule!') ? o : undefined;
    }, 15_000);
    assert.match(out, /main#\w+ completed/);
    // The result went back to the language server: the lens shows it.
    const summary = await waitFor('the last result on the lens', async () => {
      // Label lenses (no command) are drawn as spans: read the whole lens line.
      const t = await page.locator('.monaco-editor .codelens-decoration').allInnerTexts();
      return t.map((l) => /✓ [^|]*/.exec(l)?.[0].trim()).find(Boolean);
    }, 15_000);
    assert.match(summary, /✓ → "Hello from Capsule!" · \d+(\.\d+)? m?s · fuel [\d.]+M \/ 100M/);
    wb.shots.push(await screenshot(page, 'tree'));
  });

  wb.test('3. typing a bad ram shows a diagnostic', async () => {
    await openFile(page, 'examples/hello.py');
    const before = await page.locator('.editor-instance .squiggly-error').count();
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+G');
    await page.keyboard.type('3');
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.type('@task(name="main", compute="LOW", ram="64XB")');
    await waitFor('an error squiggle on the bad ram', async () => (await page.locator('.editor-instance .squiggly-error').count()) > before, 20_000);
    await page.keyboard.press('Control+Shift+M');
    const problems = await waitFor('the ram problem in the Problems panel', async () => {
      const t = await page.locator('.markers-panel').innerText().catch(() => '');
      return /ram/i.test(t) && /64XB/.test(t) ? t : undefined;
    }, 15_000);
    assert.match(problems, /unit/i);
    wb.shots.push(await screenshot(page, 'diagnostic'));
    await runCommand(page, 'File: Revert File');
    await waitFor('the squiggle to go after the revert', async () => (await page.locator('.editor-instance .squiggly-error').count()) <= before, 15_000);
  });

  wb.test('4. a failing task shows failed, with its error', async () => {
    await openFile(page, 'failing.py');
    await openCapsuleView(page);
    await clickLens(page, 'Run task');
    const text = await waitFor('the failing run to end failed', async () => {
      const t = await rowText('failing');
      assert.doesNotMatch(t, /completed|timed out|interrupted/, `the failing run ended ${t}`);
      return /failed/.test(t) ? t : undefined;
    }, 60_000);
    assert.doesNotMatch(text, /completed/);
    // The view opens a failed run by itself; if it is still closed a while later, open it. (A
    // twistie click is a toggle: clicking while the view's own expansion is in flight closes it.)
    const failed = row('failing');
    let closedSince = Date.now();
    const errorRow = await waitFor('the error under the failed run', async () => {
      const rows = await runRows(page).allInnerTexts();
      const found = rows.find((r) => /ValueError/.test(r) && /fails on purpose/.test(r));
      if (found) return found;
      if ((await failed.getAttribute('aria-expanded')) !== 'false') closedSince = Date.now();
      else if (Date.now() - closedSince > 3_000) { await failed.locator('.monaco-tl-twistie').click(); closedSince = Date.now(); }
      return undefined;
    }, 20_000);
    assert.match(errorRow, /fails on purpose/);
    await waitFor('a notification about the failure', async () => /failing.*failed/s.test(await page.locator('.notifications-toasts').innerText().catch(() => '')), 10_000);
    wb.shots.push(await screenshot(page, 'failed-run'));
  });

  wb.test('5. a long task cancelled from the tree ends cancelled, not as an error', async () => {
    await openFile(page, 'slow.py');
    await openCapsuleView(page);
    await clickLens(page, 'Run task');
    await waitFor('the slow run to be running', async () => {
      const t = await rowText('slow');
      assert.doesNotMatch(t, /completed|failed|timed out|interrupted/, `the slow run ended before it was cancelled: ${t}`);
      return /running/.test(t);
    }, 60_000);
    const r = row('slow');
    await r.hover();
    wb.shots.push(await screenshot(page, 'running'));
    const cancel = r.locator('.action-label[aria-label^="Cancel Run"]');
    await cancel.waitFor({ state: 'visible', timeout: 5_000 });
    const clickedAt = Date.now();
    await cancel.click();
    // The row is redrawn every second while it runs (its elapsed time), and a redraw between
    // mouse down and up swallows the click: as a user would, click again if nothing happened.
    let lastClick = clickedAt;
    let clicks = 1;
    const text = await waitFor('the slow run to end cancelled', async () => {
      const t = await rowText('slow');
      if (/cancelled/.test(t)) return t;
      if (/running/.test(t) && Date.now() - lastClick > 5_000 && await cancel.isVisible()) {
        await r.hover();
        await cancel.click();
        lastClick = Date.now();
        clicks++;
      }
      return undefined;
    }, 30_000);
    if (clicks > 1) console.log(`ui e2e: the cancel button took ${clicks} clicks`);
    assert.doesNotMatch(text, /failed|error|interrupted/);
    // Coarse: cancelling must not wait for the task to finish on its own.
    assert.ok(Date.now() - clickedAt < 30_000);
    assert.doesNotMatch(text, /completed/);
    assert.equal(await capsuleView(page).locator('.codicon-sync.codicon-modifier-spin').count(), 0, 'nothing spins any more');
  });

  wb.test('6. after a reload, Task Runs shows the earlier runs from .capsule/trace.db', async () => {
    const names = async () => (await runRows(page).locator('.label-name').allInnerTexts()).map((t) => t.trim().replace(/\(.*\)$/, ''));
    const before = (await names()).filter((t) => ['main', 'failing', 'slow'].includes(t));
    assert.ok(before.length > 0, 'earlier tests left runs');
    await page.reload();
    await waitForWorkbench(page);
    await openCapsuleView(page);
    const after = await waitFor('the runs to come back from the trace', async () => {
      const rows = await names();
      return before.every((name) => rows.includes(name)) ? rows : undefined;
    }, 30_000);
    assert.ok(after.length >= before.length);
  });
});
