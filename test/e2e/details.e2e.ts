// The story of a run in a real VS Code (code-server 4.100.3): isolation of a bad decorator,
// arguments asked from the signature, the run details view (completed, failed with a
// traceback link, a fan-out's timeline, hostile output), the Testing view, CLI runs appearing
// live, and the details view in light and dark themes. Screenshots go to test-results/.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { REPO } from './code-server';
import { capsuleView, clickLens, lenses, openCapsuleView, openFile, runCommand, runRows, screenshot, useWorkbench, waitFor } from './workbench';

let page: Page;

const row = (label: RegExp) => runRows(page).filter({ has: page.locator('.label-name', { hasText: label }) }).first();
const rowText = async (label: RegExp) => { const r = row(label); return (await r.count()) ? (await r.innerText()).replace(/\s+/g, ' ') : ''; };

async function waitEnded(label: RegExp, want: RegExp, ms = 60_000): Promise<string> {
  return waitFor(`${label} to end ${want}`, async () => {
    const t = await rowText(label);
    return want.test(t) ? t : undefined;
  }, ms);
}

/** The details view's content frame (code-server nests the page in two iframes). */
function details(): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

async function openDetails(label: RegExp): Promise<FrameLocator> {
  const frame = details();
  // A click that lands while the tree re-renders can lose its command (VS Code drops the
  // rows' command handles on a refresh): click again until the page shows.
  await waitFor(`the details of ${label}`, async () => {
    await row(label).click();
    return frame.locator('h1').waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false);
  }, 30_000);
  return frame;
}

async function closeEditors(): Promise<void> {
  await runCommand(page, 'View: Close All Editors');
}

/** Pop-ups from earlier failures would cover the screenshots. */
async function clearToasts(): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
}

describe('The story of a run (code-server)', { timeout: 300_000 }, () => {
  const wb = useWorkbench({ width: 1400, height: 1000 }, 'failure-details-');
  before(() => {
    page = wb.page;
  });

  wb.test('1. a config error in one task does not block another: "⚠ can\'t run" on it, the other runs', async () => {
    await openFile(page, 'isolation.py');
    await openCapsuleView(page);
    await waitFor('the "can\'t run" lens on the bad task', async () => (await lenses(page).filter({ hasText: "can't run" }).count()) > 0, 60_000);
    await clickLens(page, 'Run task');
    const text = await waitEnded(/^chatty\(\)$/, /completed|failed/);
    assert.match(text, /completed/);
    wb.shots.push(await screenshot(page, 'isolation-lens'));
  });

  wb.test('2. a task with arguments asks for them, pre-filled, and remembers them', async () => {
    await openFile(page, 'args.py');
    await clickLens(page, 'Run task');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await input.inputValue(), '{"a":0,"b":0}');
    assert.match(await page.locator('.quick-input-widget').innerText(), /add\(a: int, b: int\)/);
    // A wrong count is refused in the box, before anything runs.
    await input.fill('[1]');
    await waitFor('the box to say what is missing', async () => /missing "b"/.test(await page.locator('.quick-input-widget').innerText()), 10_000);
    wb.shots.push(await screenshot(page, 'args-prompt'));
    await input.fill('{"a": 2, "b": 3}');
    await page.keyboard.press('Enter');
    const text = await waitEnded(/^add\(a=2, b=3\)$/, /completed|failed/);
    assert.match(text, /completed/);
    await clickLens(page, 'Run task');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await input.inputValue(), '{"a": 2, "b": 3}');
    await page.keyboard.press('Escape');
  });

  wb.test('3. the details view of a completed run: call, arguments, result, usage against limits', async () => {
    const frame = await openDetails(/^add\(a=2, b=3\)$/);
    assert.match(await frame.locator('h1').innerText(), /completed\s+add\(a=2, b=3\)/);
    const body = await frame.locator('body').innerText();
    assert.match(body, /Result[\s\S]*Copy[\s\S]*Open in editor[\s\S]*\b5\b/);
    assert.match(body, /"a": 2/);
    assert.match(body, /fuel[\s\S]*\/ 2B/);
    assert.match(body, /64 MB/);
    wb.shots.push(await screenshot(page, 'details-completed'));
    await closeEditors();
  });

  wb.test('4. a failed run: its details show the traceback, and a frame link jumps to the raising line', async () => {
    await openFile(page, 'failing.py');
    await clickLens(page, 'Run task');
    await waitEnded(/^failing\(\)$/, /failed/);
    await clearToasts();
    const frame = await openDetails(/^failing\(\)$/);
    assert.match(await frame.locator('section.error').innerText(), /ValueError: this task fails on purpose/);
    wb.shots.push(await screenshot(page, 'details-failed'));
    await frame.locator('a[data-action="openFrame"]', { hasText: 'failing.py:6' }).click();
    await page.locator('.tab.active[aria-label^="failing.py"]').first().waitFor({ state: 'visible', timeout: 15_000 });
    await waitFor('the cursor on line 6', async () => /Ln 6,/.test(await page.locator('.statusbar').innerText()), 10_000);
    // The raising line carries a diagnostic until the next run.
    await waitFor('an error squiggle on the raising line', async () => (await page.locator('.editor-instance .squiggly-error').count()) > 0, 10_000);
    await closeEditors();
  });

  wb.test('5. a fan-out of 5 sub-tasks: the timeline has a bar per instance; hostile output stays text', async () => {
    await openFile(page, 'fanout.py');
    await clickLens(page, 'Run task');
    await waitEnded(/^fanout\(\)$/, /completed|failed/);
    await clearToasts();
    const frame = await openDetails(/^fanout\(\)$/);
    await waitFor('6 timeline rows', async () => (await frame.locator('svg.timeline g.row').count()) === 6, 10_000);
    assert.equal(await frame.locator('svg.timeline rect.bar.o-completed').count(), 6);
    const output = await frame.locator('pre.output').innerText();
    assert.match(output, /<img src=x onerror=/);
    assert.equal(await frame.locator('img').count(), 0, 'the printed <img> is text, not an element');
    // VS Code injects its own script into the frame; none may hold the printed one.
    const scripts = await frame.locator('script').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
    assert.ok(!scripts.some((t) => t.includes('pwned')), 'no script came from the output');
    assert.notEqual(await frame.locator('body').evaluate((b) => (b as unknown as { ownerDocument: { title: string } }).ownerDocument.title), 'pwned');
    await frame.locator('section.timeline-section').scrollIntoViewIfNeeded();
    wb.shots.push(await screenshot(page, 'timeline-fanout'));
    // Drill into a sub-task.
    await frame.locator('svg.timeline g.row').nth(3).click();
    await waitFor('the sub-task\'s details', async () => /square\(\d\)[\s\S]*sub-task of/.test(await frame.locator('header').innerText()), 10_000);
    // Its result comes from the trace (the runner only sees the root's).
    await waitFor('the sub-task\'s result', async () => /Result[\s\S]*Copy[\s\S]*\b(0|1|4|9|16)\b/.test(await frame.locator('body').innerText()), 10_000);
  });

  wb.test('6. the details view follows the theme (light and dark screenshots)', async () => {
    const frame = details();
    await frame.locator('h1').waitFor({ state: 'visible', timeout: 10_000 });
    // VS Code marks the webview's body with the theme's kind (vscode-light, vscode-dark, ...).
    const kind = async () => /vscode-(high-contrast-light|high-contrast|light|dark)/.exec((await frame.locator('body').getAttribute('class')) ?? '')?.[1];
    // Evaluated in the page (the project's types have no DOM library).
    const background = () => frame.locator('body').evaluate((b) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(b).backgroundColor);
    const first = await waitFor('the theme kind on the page', kind, 10_000);
    const firstColor = await background();
    wb.shots.push(await screenshot(page, `details-${first}`));
    await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
    const second = await waitFor('the other theme in the details view', async () => { const k = await kind(); return k && k !== first ? k : undefined; }, 15_000);
    assert.notEqual(await background(), firstColor, 'the page follows the theme\'s colours');
    wb.shots.push(await screenshot(page, `details-${second}`));
    await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
    await waitFor('the first theme back', async () => (await kind()) === first, 15_000);
    // High contrast through a workspace setting (code-server's palette has no toggle for it).
    const settings = join(wb.server.workspace, '.vscode', 'settings.json');
    mkdirSync(join(wb.server.workspace, '.vscode'), { recursive: true });
    writeFileSync(settings, JSON.stringify({ 'workbench.colorTheme': 'Default High Contrast' }));
    try {
      const hc = await waitFor('a high-contrast theme in the details view', async () => { const k = await kind(); return k?.startsWith('high-contrast') ? k : undefined; }, 20_000);
      wb.shots.push(await screenshot(page, `details-${hc}`));
    } finally {
      writeFileSync(settings, '{}');
    }
    await waitFor('the first theme back', async () => (await kind()) === first, 20_000);
    await closeEditors();
  });

  wb.test('7. a lens run shows up in the Testing view', async () => {
    await runCommand(page, 'Testing: Focus on Test Explorer View');
    const tests = page.locator('.test-explorer .monaco-list-row');
    await waitFor('add passed in the Test Explorer', async () => {
      // Expand the files so the tasks are drawn.
      for (const r of await tests.all()) if ((await r.getAttribute('aria-expanded')) === 'false') await r.click().catch(() => undefined);
      const labels = await tests.evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
      return labels.some((l) => /^add\b.*Passed/i.test(l));
    }, 20_000);
    wb.shots.push(await screenshot(page, 'testing-view'));
    await openCapsuleView(page);
  });

  wb.test('8. a run from the CLI appears in Task Runs without a reload', async () => {
    await openCapsuleView(page);
    const count = async () => (await runRows(page).locator('.label-name', { hasText: /^main/ }).count());
    const before = await count();
    const cli = spawn(process.execPath, [join(REPO, 'bin/capsule.js'), 'run', 'examples/hello.py'], { cwd: wb.server.workspace, stdio: 'ignore' });
    const code = await new Promise<number | null>((r) => cli.on('exit', r));
    assert.equal(code, 0);
    await waitFor('the CLI run in Task Runs', async () => (await count()) > before, 20_000);
    assert.ok(await capsuleView(page).isVisible());
  });
});
