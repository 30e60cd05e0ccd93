// A tiny "agent loop" in TypeScript: each step's code (canned here; an LLM's in real
// life) runs in a fresh sandbox with no grants, and its result feeds the next step.
//
//   node --import tsx examples/host-api/agent.ts   (an installed package: import from 'capsule-vscode/runtime')
import { createSandboxPool } from '../../runtime/src/api/index';

const steps = [
  'import statistics\nstatistics.mean([3, 1, 4, 1, 5, 9, 2, 6])',
  'PREVIOUS * 2',
  'open("/etc/passwd").read()', // untrusted code trying its luck: a PermissionError, not the file
];

async function main(): Promise<void> {
  const pool = createSandboxPool();
  let previous: unknown = null;
  try {
    for (const code of steps) {
      const cell = await pool.runCode(code.replace('PREVIOUS', JSON.stringify(previous)), { compute: 'LOW', timeout: '5s' });
      console.log(cell.success ? `ok: ${JSON.stringify(cell.result)}` : `refused: ${cell.error?.message.split('\n')[0]}`);
      if (cell.success) previous = cell.result;
    }
  } finally {
    await pool.dispose();
  }
}

void main();
