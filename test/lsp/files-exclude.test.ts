// files.exclude globs follow VS Code's documented glob rules
// (code.visualstudio.com/docs/editor/glob-patterns and the `when` clause of files.exclude):
// the cases are the ones the docs give and the defaults users write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { excludeMatcher } from '../../server/src/files-exclude';

const noSiblings = () => false;
/** Which of `paths` (a trailing `/` marks a folder) the settings exclude. */
function excluded(settings: Record<string, unknown> | string[], paths: string[], opts: { siblings?: string[]; ignoreCase?: boolean } = {}): string[] {
  const match = excludeMatcher(settings, opts.ignoreCase ?? false);
  const siblings = new Set(opts.siblings ?? []);
  return paths.filter((p) => {
    const isDir = p.endsWith('/');
    return match(isDir ? p.slice(0, -1) : p, isDir, opts.siblings ? (n) => siblings.has(n) : noSiblings);
  });
}

test('`*` and `?` stay within one folder, `**` crosses any number of folders, including none', () => {
  const paths = ['b.pyc', 'b.pyo', 'b.py', 'b.pyx', 'a/b.pyc', 'a/c/b.pyd', 'a/b.pye'];
  // The hand-written matcher this replaced took [cod] literally.
  assert.deepEqual(excluded({ '*.py[cod]': true }, paths), ['b.pyc', 'b.pyo']);
  assert.deepEqual(excluded({ '**/*.py[cod]': true }, paths), ['b.pyc', 'b.pyo', 'a/b.pyc', 'a/c/b.pyd']);
  assert.deepEqual(excluded({ 'a?c.py': true }, ['abc.py', 'a/c.py', 'ac.py', 'abbc.py']), ['abc.py']);
  assert.deepEqual(excluded({ 'src/**/gen': true }, ['src/gen/', 'src/a/b/gen/', 'gen/', 'lib/src/gen/']), ['src/gen/', 'src/a/b/gen/']);
});

test("VS Code's default excludes match at any depth, dot-folders included", () => {
  const defaults = { '**/.git': true, '**/.svn': true, '**/.hg': true, '**/CVS': true, '**/.DS_Store': true, '**/Thumbs.db': true, '**/__pycache__': true };
  assert.deepEqual(
    excluded(defaults, ['.git/', 'sub/.git/', 'x.git/', '__pycache__/', 'pkg/__pycache__/', 'pkg/mod.py', '.DS_Store', 'cvs/']),
    ['.git/', 'sub/.git/', '__pycache__/', 'pkg/__pycache__/', '.DS_Store'],
  );
  // `*` matches names that start with a dot, as VS Code's does.
  assert.deepEqual(excluded({ '**/*.py': true }, ['.hidden/x.py', '.x.py', 'x.txt']), ['.hidden/x.py', '.x.py']);
});

test('`folder/**` and `folder/` exclude the folder itself; a path is relative to the workspace folder', () => {
  assert.deepEqual(excluded({ 'build/**': true }, ['build/', 'build/x.py', 'build/a/b.py', 'src/build/x.py', 'builder/x.py']), ['build/', 'build/x.py', 'build/a/b.py']);
  assert.deepEqual(excluded({ 'out/': true }, ['out/', 'src/out/']), ['out/']);
  assert.deepEqual(excluded({ vendor: true }, ['vendor/', 'lib/vendor/']), ['vendor/']);
});

test('braces group alternatives, brackets take ranges and [!...] negates them (the docs\' examples)', () => {
  assert.deepEqual(excluded({ '{**/*.html,**/*.txt}': true }, ['a.html', 'd/b.txt', 'c.py']), ['a.html', 'd/b.txt']);
  assert.deepEqual(excluded({ '**/*.{tmp,bak}.py': true }, ['a.tmp.py', 'x/a.bak.py', 'a.py']), ['a.tmp.py', 'x/a.bak.py']);
  assert.deepEqual(excluded({ 'example.[0-9]': true }, ['example.0', 'example.1', 'example.a']), ['example.0', 'example.1']);
  assert.deepEqual(excluded({ 'example.[!0-9]': true }, ['example.0', 'example.a', 'example.b']), ['example.a', 'example.b']);
  assert.deepEqual(excluded({ 'example.[^0-9]': true }, ['example.0', 'example.a']), ['example.a']);
  // The Chromium docs' files.exclude recipe: everything in out/ but Debug.
  assert.deepEqual(excluded({ 'out/[^D]*/': true }, ['out/Release/', 'out/Debug/']), ['out/Release/']);
});

test('no negation, comments or extglobs: `!`, `#` and `+(...)` are literal, as VS Code has none of them', () => {
  assert.deepEqual(excluded({ '!keep.py': true }, ['keep.py', 'other.py', '!keep.py']), ['!keep.py']);
  assert.deepEqual(excluded({ '#notes.py': true }, ['#notes.py', 'notes.py']), ['#notes.py']);
  assert.deepEqual(excluded({ '+(a).py': true }, ['+(a).py', 'a.py', 'aa.py']), ['+(a).py']);
});

test('false switches a pattern off; patterns are trimmed; the server\'s own list is plain globs', () => {
  assert.deepEqual(excluded({ '**/*.py': false, '**/*.txt': true }, ['a.py', 'a.txt']), ['a.txt']);
  assert.deepEqual(excluded({ ' vendor/** ': true }, ['vendor/x.py']), ['vendor/x.py']);
  assert.deepEqual(excluded(['vendor/**', '**/*_pb2.py'], ['vendor/', 'a/m_pb2.py', 'a/m.py']), ['vendor/', 'a/m_pb2.py']);
  assert.deepEqual(excluded({}, ['a.py']), []);
});

test('a `when` clause excludes a file only beside the sibling it names ($(basename) is the name without its extension)', () => {
  const settings = { '**/*.py': { when: '$(basename).pyx' } };
  assert.deepEqual(excluded(settings, ['fast.py', 'lib/fast.py'], { siblings: ['fast.pyx'] }), ['fast.py', 'lib/fast.py']);
  assert.deepEqual(excluded(settings, ['slow.py'], { siblings: ['fast.pyx', 'slow.txt'] }), []);
  assert.deepEqual(excluded({ '**/*.js': { when: '$(basename).ts' } }, ['a.test.js'], { siblings: ['a.test.ts'] }), ['a.test.js']);
});

test('case is kept on Linux and ignored on Windows and macOS', () => {
  assert.deepEqual(excluded({ '**/Vendor': true }, ['vendor/', 'Vendor/']), ['Vendor/']);
  assert.deepEqual(excluded({ '**/Vendor': true }, ['vendor/', 'Vendor/', 'VENDOR/'], { ignoreCase: true }), ['vendor/', 'Vendor/', 'VENDOR/']);
  assert.deepEqual(excluded({ '*.PY': true }, ['a.py'], { ignoreCase: true }), ['a.py']);
});
