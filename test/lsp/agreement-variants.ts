// The decorator variants the agreement suite checks: every row of the audit that found
// the editor and the runtime disagreeing, and a sweep of each parameter's values. Each
// variant is one file; `task` is the task to run (the one its decorator concerns).

export interface Variant { id: string; source: string; task: string }

const IMPORT = 'from capsule import task\n';
const BODY = '    return "ok"\n';

/** A file with one `main` task decorated with `args`, after `prelude`. */
const one = (args: string, prelude = ''): string => `${IMPORT}${prelude}\n@task(${args})\ndef main():\n${BODY}`;

const VALUES: Record<string, string[]> = {
  compute: ['"LOW"', '"low"', '"MEDIUM"', '"HIGH"', '"1000000"', '"0"', '"ULTRA"', '""', '5', '0', 'None', '"1e6"', '"99999999999999999999"', '"9007199254740991"'],
  ram: ['"64MB"', '"64mb"', '"512 MB"', '"1GB"', '"4GB"', '"5GB"', '"1.5GB"', '"8MB"', '"1KB"', '"0.5MB"', '"100"', '"1.5"', '"16MB"', '"15MB"', '"16777216"', '"0MB"', '"64M"', '"1TB"', '"10XB"', '64', 'None', '"MB"'],
  timeout: ['"30s"', '"500ms"', '"5m"', '"1h"', '"1m30s"', '"1m 30s"', '"600h"', '"596h"', '"597h"', '"1d"', '"30 seconds"', '"30"', '"0s"', '"abc"', '30', '2.5', 'None', '"2S"', '"0.0004s"'],
  max_retries: ['0', '3', '-1', '1.5', '3.0', '"3"', 'True', 'None', '9007199254740991', '9007199254740993', '99999999999999999999'],
  allowed_files: ['["data"]', '["."]', '["./"]', '["data/.."]', '["/etc"]', '["../x"]', '["missing"]', '["data/file.txt"]', '[{"path": "data", "mode": "ro"}]', '[{"path": "data", "mode": "readonly"}]', '[{"path": "."}]', '"data"', 'None', '[]'],
  allowed_hosts: ['["*"]', '["example.com"]', '["*.example.com"]', '["*.com"]', '["https://example.com"]', '["example.com:443"]', '["1.1"]', '["0.1"]', '["*.0.0.1"]', '["::1"]', '["[::1]"]', '["10.0.0.1"]', '["[::1]:80"]', '["256.1.1.1"]', '["localhost"]', '["exa mple.com"]', 'None'],
  env_variables: ['["API_KEY"]', '["_X1"]', '["1ABC"]', '["A-B"]', '["ÄPI"]', '[1]', '"API_KEY"', 'None'],
  name: ['"main"', '""', '3', 'None'],
  durable: ['True', 'False', '1', '"true"', 'None', '"yes"'],
};

function sweep(): Variant[] {
  const out: Variant[] = [];
  for (const [param, values] of Object.entries(VALUES)) {
    values.forEach((v, i) => out.push({ id: `${param}-${i}`, source: one(`${param}=${v}`), task: 'main' }));
  }
  return out;
}

/** Two parameters at once: one bad value must not hide, or be hidden by, another. */
function combos(): Variant[] {
  const out: Variant[] = [];
  const pairs: Array<[string, string[], string, string[]]> = [
    ['compute', ['"LOW"', '"ULTRA"', '"2000000"'], 'ram', ['"64MB"', '"8MB"', '"2GB"', '"64M"']],
    ['ram', ['"32MB"', '"1TB"', '"100"'], 'timeout', ['"2s"', '"600h"', '"1d"', '30']],
    ['compute', ['"HIGH"', '0', 'C'], 'timeout', ['"1m"', '"0s"', 'T']],
    ['allowed_hosts', ['["example.com"]', '["1.1"]', '["::1"]', '["https://x.com"]'], 'env_variables', ['["A"]', '["A-B"]', '["ÄPI"]', '[]']],
  ];
  for (const [p1, v1s, p2, v2s] of pairs) {
    v1s.forEach((v1, i) => v2s.forEach((v2, j) => out.push({ id: `${p1}-${p2}-${i}-${j}`, source: one(`${p1}=${v1}, ${p2}=${v2}`, 'C = "LOW"\nT = "1s"\n'), task: 'main' })));
  }
  return out;
}

/** The audit's rows, each spelled as users write it. */
function rows(): Variant[] {
  const v = (id: string, source: string, task = 'main'): Variant => ({ id, source, task });
  return [
    // 4. Non-literal limits: constants are read, anything else is refused.
    v('const-compute', one('compute=C', 'C = "LOW"\n')),
    v('const-timeout', one('timeout=T', 'T = "2s"\n')),
    v('const-ram', one('ram=R', 'R = "64MB"\n')),
    v('const-concat', one('ram="64" + "MB"')),
    v('const-kwargs', one('**CFG', 'CFG = {"compute": "LOW", "timeout": "5s"}\n')),
    v('const-bad', one('compute=C', 'C = "ULTRA"\n')),
    v('const-twice', one('timeout=T', 'T = "1s"\nT = "2s"\n')),
    v('const-global', one('timeout=T', 'T = "1s"\ndef g():\n    global T\n    T = "9h"\n')),
    v('const-call', one('timeout=make()', 'def make():\n    return "1s"\n')),
    v('const-env', one('timeout=os.environ.get("T", "1s")', 'import os\n')),
    v('const-kwargs-call', one('**make()', 'def make():\n    return {}\n')),
    v('const-list', one('allowed_hosts=H', 'H = ["api.example.com"]\n')),
    v('const-list-bad', one('allowed_hosts=H', 'H = ["1.1"]\n')),
    v('const-late', `${IMPORT}\n@task(timeout=T)\ndef main():\n${BODY}\nT = "1s"\n`),
    // 5. A dynamic name.
    v('fstring-name', one('name=f"job_{N}"', 'N = 1\n'), 'job_1'),
    v('fstring-name-main', one('name=f"job_{N}"', 'N = 1\n')),
    v('const-name', one('name=N', 'N = "job"\n'), 'job'),
    // 6. A bad @task inside a class or a nested function.
    v('class-bad', `${IMPORT}\nclass C:\n    @task(ram="1XB")\n    def m(self):\n        return 1\n\n@task\ndef main():\n${BODY}`, 'm'),
    v('class-good-main', `${IMPORT}\nclass C:\n    @task\n    def m(self):\n        return 1\n\n@task\ndef main():\n${BODY}`, 'm'),
    v('nested-bad', `${IMPORT}\ndef outer():\n    @task(compute="ULTRA")\n    def inner():\n        return 1\n    return inner\n\n@task\ndef main():\n${BODY}`, 'inner'),
    // 7. Unreachable tasks.
    v('under-main', `${IMPORT}\nif __name__ == "__main__":\n    @task\n    def main():\n        return "ok"\n`),
    v('under-false', `${IMPORT}\nif False:\n    @task\n    def main():\n        return "ok"\n`),
    v('with-as-task', `${IMPORT}from contextlib import nullcontext\n\nwith nullcontext(lambda f: f) as task:\n    @task\n    def main():\n        return "ok"\n`),
    v('in-try', `${IMPORT}\ntry:\n    @task(compute="LOW")\n    def main():\n        return "ok"\nexcept ImportError:\n    pass\n`),
    v('in-loop', `${IMPORT}\nfor i in range(2):\n    @task\n    def main():\n        return "ok"\n`),
    // 8. Duplicate names.
    v('dup-name', `${IMPORT}\n@task(compute="HIGH")\ndef main():\n    return "first"\n\n@task(name="main", compute="LOW")\ndef other():\n    return "second"\n`),
    v('dup-def', `${IMPORT}\n@task\ndef main():\n    return 1\n\n@task\ndef main():\n    return 2\n`),
    // 9. Stacked decorators.
    v('stacked-outer', `${IMPORT}\n@task(name="outer")\n@task(name="inner")\ndef main():\n${BODY}`, 'outer'),
    v('stacked-inner', `${IMPORT}\n@task(name="outer")\n@task(name="inner")\ndef main():\n${BODY}`, 'inner'),
    v('stacked-other', `${IMPORT}import functools\n\n@functools.lru_cache(maxsize=None)\n@task(compute="LOW")\ndef main():\n${BODY}`),
    // 10. None and floats.
    v('none-all', one('compute=None, ram=None, timeout=None, max_retries=None, allowed_files=None, allowed_hosts=None, env_variables=None, name=None')),
    // 11. Line endings.
    v('cr-only', one('compute="LOW"').replace(/\n/g, '\r')),
    v('crlf', one('compute="LOW"').replace(/\n/g, '\r\n')),
    v('cr-in-comment', `${IMPORT}# a \r in a comment\n@task(ram="1XB")\ndef main():\n${BODY}`),
    v('cr-bad', one('ram="1XB"').replace(/\n/g, '\r')),
    // Spellings and bindings.
    v('module-spelling', `import capsule\n\n@capsule.task(compute="LOW")\ndef main():\n${BODY}`),
    v('alias-spelling', `from capsule import task as t\n\n@t(compute="LOW")\ndef main():\n${BODY}`),
    v('star-capsule', `from capsule import *\n\n@task(compute="LOW")\ndef main():\n${BODY}`),
    v('fabric-star', `from os.path import *\n\ndef task(f):\n    return f\n\n@task\ndef main():\n${BODY}`),
    v('rebound', `${IMPORT}task = (lambda f: f)\n\n@task\ndef main():\n${BODY}`),
    v('tuple-bound', `task, other = (lambda f: f), 1\n\n@task\ndef main():\n${BODY}`),
    v('unimported', `@task\ndef main():\n${BODY}`),
    v('unimported-module', `@capsule.task\ndef main():\n${BODY}`),
    v('bare', `${IMPORT}\n@task\ndef main():\n${BODY}`),
    v('empty-call', one('')),
    v('async', `${IMPORT}\n@task(compute="LOW")\nasync def main():\n${BODY}`),
    v('positional', one('"LOW"')),
    v('unknown-param', one('compte="LOW"')),
    v('camel-param', one('maxRetries=3')),
    v('twice-param', one('ram="64MB", ram="128MB"')),
    v('on-class', `${IMPORT}\n@task\nclass main:\n    pass\n`),
    v('full', one('name="main", compute="LOW", ram="256MB", timeout="30s", max_retries=1, allowed_files=[{"path": "data", "mode": "ro"}], allowed_hosts=["api.example.com"], env_variables=["HOME"]')),
    v('other-task-bad', `${IMPORT}\n@task(ram="1XB")\ndef broken():\n    return 1\n\n@task\ndef main():\n${BODY}`),
    v('calls-bad', `${IMPORT}\n@task(ram="1XB")\ndef broken():\n    return 1\n\n@task\ndef main():\n    return broken()\n`),
  ];
}

/**
 * The second audit's rows: a constant bound again or changed in place where the reader
 * of the source can see it, spaces Python and JavaScript read differently, escapes, and
 * spellings that are capsule's. (What no reader of the source can see, as
 * `globals()["C"] = ...`, the sandbox refuses at run time: test/cli/decorator-changed.test.ts.)
 */
function rows2(): Variant[] {
  const v = (id: string, source: string, task = 'main'): Variant => ({ id, source, task });
  return [
    v('walrus-const', one('compute=C', 'C = "LOW"\nprint(C := "HIGH")\n')),
    v('walrus-if', one('compute=C', 'C = "LOW"\nif (C := "HIGH"):\n    pass\n')),
    v('match-capture', one('compute=C', 'C = "LOW"\nmatch 5:\n    case C:\n        pass\n')),
    v('match-assign', one('compute=C', 'C = "LOW"\nmatch 5:\n    case _:\n        C = "HIGH"\n')),
    v('del-const', one('compute=C', 'C = "LOW"\ndel C\n')),
    v('except-as-const', one('compute=C', 'C = "LOW"\ntry:\n    1 / 0\nexcept ZeroDivisionError as C:\n    pass\n')),
    v('star-after-const', one('compute=e', 'e = "LOW"\nfrom math import *\n')),
    v('list-cleared', one('allowed_files=F', 'F = ["data"]\nF.clear()\n')),
    v('list-item-set', one('allowed_files=F', 'F = ["data"]\nF[0] = "other"\n')),
    v('dict-item-set', one('**CFG', 'CFG = {"ram": "512MB"}\nCFG["ram"] = "32MB"\n')),
    v('dict-updated', one('**CFG', 'CFG = {"compute": "LOW"}\nCFG.update(compute="HIGH")\n')),
    v('nested-item-set', one('allowed_files=F', 'F = [{"path": "data", "mode": "rw"}]\nF[0]["mode"] = "ro"\n')),
    v('const-read-only', one('allowed_hosts=H', 'H = ["api.example.com"]\nprint(len(H))\n')),
    v('del-task', `${IMPORT}del task\n\n@task\ndef main():\n${BODY}`),
    v('except-as-task', `${IMPORT}try:\n    1 / 0\nexcept ZeroDivisionError as task:\n    pass\n\n@task\ndef main():\n${BODY}`),
    v('walrus-task', `${IMPORT}if (task := (lambda **k: (lambda f: f))):\n    pass\n\n@task(ram="1XB")\ndef main():\n${BODY}`),
    v('star-after-task', `${IMPORT}from os.path import *\n\n@task(compute="LOW")\ndef main():\n${BODY}`),
    v('in-match', `${IMPORT}\nmatch 1:\n    case 1:\n        @task(compute="ULTRA")\n        def sub():\n            return 1\n\n@task(compute="LOW")\ndef main():\n    return sub()\n`),
    v('try-import-fallback', `try:\n    from capsule import task\nexcept ImportError:\n    def task(*args, **kwargs):\n        return (lambda f: f) if not args else args[0]\n\n@task(compute="LOW")\ndef main():\n${BODY}`),
    v('try-import-fallback-bad', `try:\n    from capsule import task\nexcept ImportError:\n    def task(*args, **kwargs):\n        return lambda f: f\n\n@task(compute="ULTRA")\ndef main():\n${BODY}`),
    v('import-submodule', `import capsule.http\n\n@capsule.task(compute="LOW")\ndef main():\n${BODY}`),
    v('nbsp-ram', one('ram="64\u00a0MB"')),
    v('ideographic-ram', one('ram="64\u3000MB"')),
    v('bom-compute', one('compute="\ufeffLOW"')),
    v('nbsp-timeout', one('timeout="5\u00a0s"')),
    v('fs-name', one('name="\x1c"'), '\x1c'),
    v('nel-files', one('allowed_files=["\x85"]')),
    v('escaped-nbsp-ram', one('ram="64\\u00a0MB"')),
    v('octal-name', one('name="job\\61"'), 'job1'),
    v('dash-name', one('name="-x"'), '-x'),
    v('paren-callee', `${IMPORT}\n@(task)(compute="LOW")\ndef main():\n${BODY}`),
    v('paren-callee-bad', `${IMPORT}\n@(task)(compute="ULTRA")\ndef main():\n${BODY}`),
    v('named-escape-name', one('name="job\\N{DIGIT ONE}"'), 'job1'),
  ];
}

/** The quick-fix audit's inputs (issue 15); quickfix.test.ts says which fixes each must get. */
export const FIX_ROWS: Record<string, string> = {
  // Removing the only argument must not leave "(,)".
  'qf-only-comma': 'colour="red",',
  'qf-only-comma-space': 'colour="red", ',
  'qf-only-lines': '\n    colour="red",\n',
  'qf-only-comment': 'colour="red",  # why\n',
  'qf-compte-comma': 'compte="LOW",',
  'qf-positional-comma': '"LOW",',
  'qf-last-lines': '\n    compute="LOW",\n    colour="red",  # why\n',
  // A rename fixes the value too, in the unit the old name carries, or is not offered.
  'qf-timeout-s': 'timeout_s=30',
  'qf-timeout-ms': 'timeout_ms=500',
  'qf-timout-30': 'timout=30',
  'qf-ram-mb': 'ram_mb=64',
  'qf-ram-mb-str': 'ram_mb="64"',
  'qf-memory-64': 'memory=64',
  'qf-max-retry-str': 'max_retry="3"',
  'qf-hosts-str': 'hosts="example.com"',
  'qf-fuel': 'fuel=1000',
  'qf-compte-ultra': 'compte="ULTRA"',
  'qf-hosts-not-list': 'allowed_hosts="example.com"',
  // Spellings from other conventions get a rename.
  'qf-envs': 'envs=["HOME"]',
  'qf-env-vars': 'env_vars=["HOME"]',
  'qf-cpu': 'cpu="LOW"',
  // "Not a literal" examples are lists for list parameters (no fix: the message only).
  'qf-files-set': 'allowed_files={"data"}',
  'qf-hosts-call': 'allowed_hosts=make()',
  'qf-env-set': 'env_variables={"HOME"}',
  // A mistyped scheme keeps its host; no message says write "".
  'qf-host-http-slash': 'allowed_hosts=["http:/example.com"]',
  'qf-host-no-colon': 'allowed_hosts=["https//example.com"]',
  'qf-host-slashes': 'allowed_hosts=["//example.com"]',
  'qf-host-no-host': 'allowed_hosts=["https://"]',
  'qf-host-port-only': 'allowed_hosts=["https://:80"]',
  'qf-host-idn': 'allowed_hosts=["https://例え.jp/"]',
  // A trailing dot is checked as the same name; one label names one host.
  'qf-host-wild-dot': 'allowed_hosts=["*.com."]',
  'qf-host-tld': 'allowed_hosts=["com"]',
  'qf-host-tld-dot': 'allowed_hosts=["com."]',
  // Messages suggest only values the schema accepts; the likely meaning comes first.
  'qf-timeout-tiny': 'timeout=0.0001',
  'qf-timeout-huge': 'timeout=3000000',
  'qf-ram-8': 'ram=8',
  'qf-ram-bare-float': 'ram="1.5"',
  'qf-ram-64b': 'ram="64B"',
  'qf-ram-128b': 'ram="128B"',
  'qf-ram-512b': 'ram="512B"',
  'qf-retries-negative': 'max_retries=-3',
  'qf-env-lower': 'env_variables=["api-key"]',
  'qf-retries-alias-negative': 'retries=-3',
};

function fixRows(): Variant[] {
  return Object.entries(FIX_ROWS).map(([id, args]) => ({ id, source: one(args), task: 'main' }));
}

export function variants(): Variant[] {
  return [...sweep(), ...combos(), ...rows(), ...rows2(), ...fixRows()];
}
