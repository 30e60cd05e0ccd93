// The rules on sub-tasks, on the real engine and sandbox: a sub-task's code comes
// only from the project's code as it stood when the run started (E1), a run
// starts at most [tasks] max_subtasks sub-tasks, and a root's timeout bounds
// its whole tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../runtime/src/engine';
import type { LifecycleEvent } from '../../runtime/src/engine/types';
import { tempDir } from '../temp-dir';

function project(files: Record<string, string>): string {
  const root = tempDir('capsule-subtasks-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

async function withEngine<T>(root: string, fn: (engine: Engine, events: LifecycleEvent[]) => Promise<T>): Promise<T> {
  const engine = await Engine.create({ projectRoot: root, tracePath: null, onWarning: () => {} });
  const events: LifecycleEvent[] = [];
  engine.onEvent((e) => events.push(e));
  try {
    return await fn(engine, events);
  } finally {
    await engine.dispose();
  }
}

const OTHER = `from capsule import task

@task(name="other_child")
def other_child() -> str:
    return "other ok"
`;

test('E1: a project file changed during the run (outside any grant) is refused as a sub-task; an unchanged one runs', async () => {
  const root = project({
    'other.py': OTHER,
    'stable.py': OTHER.replace(/other_child/g, 'stable_child').replace('other ok', 'stable ok'),
    'main.py': `from capsule import task, TaskFailed
import time
import other
import stable

@task(name="main")
def main() -> list:
    out = [stable.stable_child()]
    # Wait until the host has rewritten other.py (the project is visible read-only).
    for _ in range(400):
        if "CHANGED" in open("other.py").read():
            break
        time.sleep(0.05)
    else:
        return ["other.py never changed"]
    try:
        out.append(other.other_child())
    except TaskFailed as e:
        out.append(e.error_type + ": " + e.message)
    return out
`,
  });
  await withEngine(root, async (engine, events) => {
    const handle = engine.start({ file: join(root, 'main.py'), taskName: 'main' });
    // Rewrite other.py once the stable sub-task has run: the root is then surely past its start.
    const rewritten = new Promise<void>((resolve) => {
      const sub = handle.onEvent((e) => {
        if (e.taskName === 'stable_child' && e.type === 'completed') {
          writeFileSync(join(root, 'other.py'), `${readFileSync(join(root, 'other.py'), 'utf8')}\n# CHANGED\n`);
          sub.dispose();
          resolve();
        }
      });
    });
    const env = await handle.result;
    await rewritten;
    assert.equal(env.success, true, JSON.stringify(env.error));
    const [stable, other] = env.result as string[];
    assert.equal(stable, 'stable ok');
    assert.match(other!, /^permission_denied: task\.spawn: "\/project\/other\.py" is not one of the project's task files as they stood when the run started/);
    assert.doesNotMatch(other!, new RegExp(root));
    // Refused before anything ran: no instance of other_child was ever created.
    assert.equal(events.filter((e) => e.taskName === 'other_child').length, 0);
  });
});

test('E1: a refused spawn names no host path, and a missing task reads like a missing file', async () => {
  const root = project({
    'main.py': `from capsule import task
import json, _capsule_host

def ask(task, file):
    reply = json.loads(_capsule_host.call("task.spawn", json.dumps({"task": task, "file": file})))
    return reply["error"]["error_type"] + ": " + reply["error"]["message"].replace(json.dumps(file), "FILE")

@task(name="main")
def main() -> list:
    return [ask("nope", "main.py"), ask("nope", "missing.py"), ask("main", "/project/../main.py")]
`,
  });
  await withEngine(root, async (engine) => {
    const env = await engine.start({ file: join(root, 'main.py') }).result;
    assert.equal(env.success, true, JSON.stringify(env.error));
    const answers = env.result as string[];
    assert.equal(new Set(answers).size, 1, answers.join('\n'));
    assert.match(answers[0]!, /^permission_denied: /);
    assert.ok(!answers[0]!.includes(root));
  });
});

const FAN_OUT = `from capsule import task, TaskFailed

@task(name="leaf")
def leaf(i: int) -> int:
    return i

@task(name="main")
def main(n: int) -> list:
    out = []
    for i in range(n):
        try:
            out.append(leaf(i))
        except TaskFailed as e:
            out.append(e.error_type + ": " + e.message)
    return out
`;

test('max_subtasks: a run starts at most [tasks] max_subtasks sub-tasks; the next is refused with a clear error', async () => {
  const root = project({ 'main.py': FAN_OUT, 'capsule.toml': '[tasks]\nmax_subtasks = 3\n' });
  await withEngine(root, async (engine, events) => {
    const env = await engine.start({ file: join(root, 'main.py'), args: [5] }).result;
    assert.equal(env.success, true, JSON.stringify(env.error));
    const out = env.result as Array<number | string>;
    assert.deepEqual(out.slice(0, 3), [0, 1, 2]);
    for (const refused of out.slice(3)) assert.match(String(refused), /^permission_denied: .*already started 3 sub-tasks.*max_subtasks = 3 in capsule\.toml/);
    assert.equal(new Set(events.filter((e) => e.taskName === 'leaf').map((e) => e.instanceId)).size, 3);
    // The count is per run: a second run starts its own three.
    const again = await engine.start({ file: join(root, 'main.py'), args: [3] }).result;
    assert.deepEqual(again.result, [0, 1, 2]);
  });
});

test('max_subtasks: a bad value is a configuration error that names the key', async () => {
  const root = project({ 'main.py': FAN_OUT, 'capsule.toml': '[tasks]\nmax_subtasks = 0\n' });
  await withEngine(root, async (engine) => {
    await assert.rejects(engine.start({ file: join(root, 'main.py'), args: [1] }).result, /capsule\.toml:2:\d+: tasks\.max_subtasks must be a whole number of at least 1/);
  });
});

test("a root's timeout bounds its whole tree: sub-tasks still running are stopped with it", async () => {
  const root = project({
    'main.py': `from capsule import task
import time

@task(name="sleeper")
def sleeper() -> str:
    time.sleep(60)
    return "woke"

@task(name="main", timeout="1500ms")
def main() -> str:
    return sleeper()
`,
  });
  await withEngine(root, async (engine, events) => {
    const env = await engine.start({ file: join(root, 'main.py') }).result;
    assert.equal(env.success, false);
    assert.equal(env.error?.error_type, 'timeout', JSON.stringify(env.error));
    const child = events.filter((e) => e.taskName === 'sleeper' && ['completed', 'failed', 'timed_out', 'interrupted'].includes(e.type));
    assert.equal(child.length, 1, 'the sub-task ended');
    assert.equal(child[0]!.type, 'interrupted');
  });
});
