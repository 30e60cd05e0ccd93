// Runs the in-host suite (test/e2e/suite) inside code-server's extension host. The
// workbench reports the suite's end through window.codeAutomationExit(code).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startCodeServer } from './code-server';
import { buildSuite } from './suite/build';
import { launchBrowser, waitForWorkbench } from './workbench';

test('the in-host suite passes in code-server', { timeout: 300_000 }, async () => {
  const suite = await buildSuite();
  const server = await startCodeServer();
  const browser = await launchBrowser();
  const lines: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let exit!: (code: number) => void;
    const exited = new Promise<number>((r) => { exit = r; });
    await page.exposeFunction('codeAutomationExit', (code: number) => { exit(code); });
    page.on('console', (m) => {
      const text = m.text();
      if (text.includes('capsule e2e:')) { lines.push(text); console.log(text.replace(/^.*?capsule e2e:/, 'capsule e2e:')); }
    });
    await page.goto(server.workbenchUrl({ extensionTestsPath: suite }));
    await waitForWorkbench(page);
    const code = await Promise.race([
      exited,
      new Promise<number>((_, fail) => setTimeout(() => fail(new Error(`the in-host suite did not finish in 240 s\n${lines.join('\n')}`)), 240_000).unref()),
    ]);
    assert.equal(code, 0, `in-host suite failed:\n${lines.join('\n')}`);
    assert.ok(lines.some((l) => /\d+ passed, 0 failed/.test(l)), 'the suite reported its summary');
  } finally {
    await browser.close();
    await server.stop();
  }
});
