// The task file the snapshot run executes (snapshot/make.ts): it replays the
// leading import statements of the user's task file, in a sandbox granted
// nothing but the project's code and packages, and says what it did. The
// worker then keeps the instance's memory as the project's import snapshot.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PREIMPORT_TASK = '_capsule_snapshot';
/** Where the script's directory is mounted in the snapshot run. */
export const GUEST_PREIMPORT_DIR = '/capsule/preimport';

// Only the leading imports (after the docstring and comments, before any other
// statement): code above an import could change what it does (sys.path,
// os.environ), and that code must run in the task, not here. Environment
// reads are recorded: the run has no environment, so the snapshot is only
// used by tasks that lack every variable an import looked at.
const SCRIPT = `
import ast, gc, io, os, sys
from capsule import task, _registry

class _Recording(dict):
    def __init__(self, data, seen):
        super().__init__(data)
        self.seen = seen
    def __getitem__(self, key):
        self.seen.add(key.decode("utf-8", "replace") if isinstance(key, bytes) else key)
        return super().__getitem__(key)
    def __contains__(self, key):
        self.seen.add(key.decode("utf-8", "replace") if isinstance(key, bytes) else key)
        return super().__contains__(key)
    def __iter__(self):
        self.seen.add("*")
        return super().__iter__()
    def __len__(self):
        self.seen.add("*")
        return super().__len__()

def _leading(tree):
    body = list(tree.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) and isinstance(body[0].value.value, str):
        body = body[1:]
    out = []
    for node in body:
        if isinstance(node, ast.Import) or (isinstance(node, ast.ImportFrom) and not node.level):
            out.append(node)
        else:
            break
    return out

@task(name="${'_capsule_snapshot'}")
def _capsule_snapshot(file, file_dir):
    _registry.TASKS.pop("${'_capsule_snapshot'}", None)
    here = os.path.dirname(__file__)
    sys.path[:] = [p for p in sys.path if p != here]
    sys.path_importer_cache.pop(here, None)
    if file_dir not in sys.path:
        sys.path.insert(0, file_dir)
    with io.open_code(file) as f:
        source = f.read()
    statements = _leading(ast.parse(source, file))
    before = set(sys.modules)
    seen = set()
    environ, environb = os.environ, getattr(os, "environb", None)
    data = environ._data
    recording = _Recording(data, seen)
    environ._data = recording
    if environb is not None:
        environb._data = recording
    failed = None
    scope = {"__name__": "__capsule_task__", "__file__": file, "__builtins__": __builtins__}
    try:
        for node in statements:
            try:
                exec(compile(ast.Module(body=[node], type_ignores=[]), file, "exec"), scope)
            except BaseException as exc:
                failed = "line %d: %s: %s" % (node.lineno, type(exc).__name__, exc)
                break
    finally:
        environ._data = data
        if environb is not None:
            environb._data = data
    scope.clear()
    sys.modules.pop("__capsule_task__", None)
    gc.collect()
    left_open = sorted({getattr(o, "name", "?") for o in gc.get_objects()
                        if isinstance(o, io.IOBase) and not o.closed and _fd(o) > 2})
    return {"modules": sorted(set(sys.modules) - before), "failed": failed,
            "envRead": sorted(seen), "openFiles": [str(n) for n in left_open][:10],
            "statements": len(statements)}

def _fd(f):
    try:
        return f.fileno()
    except Exception:
        return -1
`;

let dir: string | null = null;

/** The script's host directory (made once per process, private to this user). */
export function preimportDir(): string {
  if (!dir) {
    const made = mkdtempSync(join(tmpdir(), 'capsule-preimport-'));
    writeFileSync(join(made, 'preimport.py'), SCRIPT, { mode: 0o444 });
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
    dir = made;
  }
  return dir;
}
