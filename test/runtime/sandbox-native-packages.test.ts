// A C-extension package in the project's virtualenv (issue 14): the task gets
// the C-extension error naming the import it wrote and the package, not a
// baffling error about a module deep inside it. Debian's python3-cryptography
// ships its Rust bindings as `_rust.abi3.so` beside a `_rust/` directory of
// typing stubs, which the sandbox (no extension loader) used to import as an
// empty namespace package: "cannot import name 'check_ansix923_padding' from
// 'cryptography.hazmat.bindings._rust' (unknown location)".
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../../runtime/src/engine';
import { tempDir } from '../temp-dir';

const DIST = '/usr/lib/python3/dist-packages';

const TASKS = `
from capsule import task

@task(name="fernet")
def fernet():
    from cryptography.fernet import Fernet
    return Fernet.generate_key()

@task(name="from_import")
def from_import():
    from cryptography import x509
    return x509.__name__

@task(name="caught")
def caught():
    try:
        import cryptography.fernet
    except ModuleNotFoundError as e:
        return "fallback: " + str(e)

@task(name="stubs_namespace")
def stubs_namespace():
    import importlib.util
    return importlib.util.find_spec("cryptography") is not None
`;

describe('C-extension packages in the virtualenv', { skip: !existsSync(join(DIST, 'cryptography')) && 'apt-get install python3-cryptography' }, () => {
  let root = '';
  let engine: Engine;
  before(async () => {
    root = tempDir('capsule-native-');
    execFileSync('python3', ['-m', 'venv', '--without-pip', join(root, '.venv')]);
    cpSync(join(DIST, 'cryptography'), join(root, '.venv', 'lib', 'python3.11', 'site-packages', 'cryptography'), { recursive: true });
    writeFileSync(join(root, 'main.py'), TASKS);
    engine = await Engine.create({ projectRoot: root, tracePath: null });
  });
  after(() => engine.dispose());

  const run = (taskName: string) => engine.start({ file: 'main.py', taskName }).result;
  const WHY = /C extensions are not supported in the Capsule sandbox/;

  it('names the import the task wrote and the package that needs native code', async () => {
    for (const [taskName, wrote] of [['fernet', 'cryptography.fernet'], ['from_import', 'cryptography.x509']] as const) {
      const env = await run(taskName);
      assert.equal(env.success, false);
      const message = env.error!.message;
      assert.ok(message.startsWith(`ModuleNotFoundError: cannot import '${wrote}': the package 'cryptography' needs the C extension 'cryptography.hazmat.bindings._rust'`), message);
      assert.match(message, WHY);
      assert.doesNotMatch(message, /unknown location|check_ansix923_padding/);
    }
  });

  it('is a ModuleNotFoundError a fallback can catch; probing for the package still works', async () => {
    const caught = await run('caught');
    assert.equal(caught.success, true, JSON.stringify(caught.error));
    assert.match(caught.result as string, /^fallback: cannot import 'cryptography\.fernet'/);
    const probe = await run('stubs_namespace');
    assert.equal(probe.result, true);
  });
});
