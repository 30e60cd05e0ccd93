// The one task-config schema: parsers, resolveTaskConfig on good and bad values with
// the exact messages, and the allowed_hosts matching rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateCapsuleToml } from '../../runtime/src/config/toml';
import { FUEL, checkHostEntry, formatBytes, formatDuration, formatFuel, hostAllowed, parseCompute, parseRam, parseTimeout, resolveTaskConfig } from '../../runtime/src/config/schema';
import { tempDir } from '../temp-dir';

test('parseCompute: levels (any case), digit strings, and clear errors', () => {
  assert.deepEqual(parseCompute('low'), { ok: true, value: { level: 'LOW', fuel: FUEL.LOW }, canonical: 'LOW' });
  assert.deepEqual(parseCompute('HIGH'), { ok: true, value: { level: 'HIGH', fuel: 50_000_000_000 }, canonical: 'HIGH' });
  assert.deepEqual(parseCompute('1000000'), { ok: true, value: { level: 'CUSTOM', fuel: 1_000_000 }, canonical: '1000000' });
  assert.deepEqual(parseCompute('MEDUIM'), { ok: false, error: 'compute "MEDUIM" is not a level; use "LOW", "MEDIUM", "HIGH" or a digit string of fuel units, e.g. "5000000"', fixes: ['MEDIUM'] });
  assert.deepEqual(parseCompute('0'), { ok: false, error: 'compute "0" is zero fuel: the task could not run a single instruction; use "LOW", "MEDIUM", "HIGH" or a digit string of fuel units, e.g. "5000000"' });
  assert.equal(parseCompute('-5').ok, false);
  assert.equal(parseCompute('99999999999999999999').ok, false);
});

test('parseRam: units are powers of 1024, a bare number is bytes, errors name the problem', () => {
  const table: Array<[string, number]> = [['512MB', 512 * 1024 ** 2], ['1GB', 1024 ** 3], ['65536KB', 64 * 1024 ** 2], ['16777216', 16 * 1024 ** 2], ['1.5GB', 1.5 * 1024 ** 3], ['512mb', 512 * 1024 ** 2], ['4GB', 4 * 1024 ** 3], ['16MB', 16 * 1024 ** 2]];
  for (const [v, bytes] of table) assert.deepEqual(parseRam(v).ok && parseRam(v), { ok: true, value: bytes, canonical: parseRam(v).ok ? (parseRam(v) as { canonical: string }).canonical : '' }, v);
  assert.equal((parseRam('512mb') as { canonical: string }).canonical, '512MB');
  assert.deepEqual(parseRam('512mo'), { ok: false, error: 'ram "512mo": unknown unit "mo"; use B, KB, MB or GB, e.g. "512MB"', fixes: ['512MB'] });
  assert.deepEqual(parseRam('lots'), { ok: false, error: 'ram "lots": expected a number and a unit; use B, KB, MB or GB, e.g. "512MB"' });
  assert.deepEqual(parseRam('0MB'), { ok: false, error: 'ram "0MB" is zero: the task could not start; use B, KB, MB or GB, e.g. "512MB"' });
  assert.deepEqual(parseRam('8GB'), { ok: false, error: 'ram "8GB" is more than the maximum of 4 GB (a wasm32 sandbox cannot address more)', fixes: ['4GB'] });
  assert.deepEqual(parseRam('2GB', { maxBytes: 1024 ** 3 }), { ok: false, error: 'ram "2GB" is more than the maximum of 1 GB', fixes: ['1GB'] });
  // The runtime's floor: less can never start, so it is an error where it is written.
  assert.deepEqual(parseRam('64KB'), { ok: false, error: 'ram "64KB" is below the 16MB the Python runtime needs to start; use at least "16MB"', fixes: ['16MB'] });
  assert.equal(parseRam('15.9MB').ok, false);
});

test('parseTimeout: ms, s, m, h and combinations', () => {
  const table: Array<[string, number]> = [['500ms', 500], ['30s', 30_000], ['5m', 300_000], ['1h', 3_600_000], ['1m30s', 90_000], ['1h 2m', 3_720_000], ['1.5s', 1500]];
  for (const [v, ms] of table) {
    const r = parseTimeout(v);
    assert.ok(r.ok, v);
    assert.equal(r.value, ms, v);
  }
  assert.deepEqual(parseTimeout('30'), { ok: false, error: 'timeout "30" has no unit; use ms, s, m or h, e.g. "30s", "500ms" or "1m30s"', fixes: ['30s'] });
  assert.deepEqual(parseTimeout('30sec'), { ok: false, error: 'timeout "30sec": unknown unit "sec"; use ms, s, m or h, e.g. "30s", "500ms" or "1m30s"', fixes: ['30s'] });
  assert.deepEqual(parseTimeout('0s'), { ok: false, error: 'timeout "0s" is zero: the task would time out before it starts; use ms, s, m or h, e.g. "30s", "500ms" or "1m30s"' });
  assert.equal(parseTimeout('soon').ok, false);
  // Node's timers hold 2^31-1 ms: one more is refused, not fired at once.
  assert.equal(parseTimeout(`${2 ** 31 - 1}ms`).ok, true);
  assert.equal(parseTimeout(`${2 ** 31}ms`).ok, false);
});

test('formatters for hovers and lenses', () => {
  assert.equal(formatFuel(1_234_567), '1.2M');
  assert.equal(formatFuel(2_000_000_000), '2B');
  assert.equal(formatFuel(950), '950');
  assert.equal(formatBytes(8 * 1024 * 1024), '8 MB');
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatDuration(12), '12 ms');
  assert.equal(formatDuration(2500), '2.5 s');
  assert.equal(formatDuration(90_000), '1 m 30 s');
});

test('resolveTaskConfig: defaults, then capsule.toml defaults, then the decorator', () => {
  const plain = resolveTaskConfig({ functionName: 'main', args: {} });
  assert.deepEqual(plain, {
    config: { name: 'main', compute: 'MEDIUM', fuel: FUEL.MEDIUM, memoryLimitBytes: 4 * 1024 ** 3, timeoutMs: null, maxRetries: 0, allowedFiles: [], allowedHosts: [], envVariables: [] },
    problems: [],
  });
  const r = resolveTaskConfig({
    functionName: 'f',
    args: { name: 'renamed', compute: 'low', max_retries: 2, allowed_hosts: ['*.example.com'] },
    taskDefaults: validateCapsuleToml('[tasks]\ndefault_ram = "256MB"\ndefault_timeout = "30s"\ndefault_allowed_hosts = ["api.other.com"]\ndefault_env_variables = ["HOME"]\n').taskDefaults,
  });
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.config, { name: 'renamed', compute: 'LOW', fuel: FUEL.LOW, memoryLimitBytes: 256 * 1024 ** 2, timeoutMs: 30_000, maxRetries: 2, allowedFiles: [], allowedHosts: ['*.example.com'], envVariables: ['HOME'] });
  // camelCase from JS callers is accepted too.
  assert.equal(resolveTaskConfig({ functionName: 'f', args: { maxRetries: 1 } }).config?.maxRetries, 1);
});

test('resolveTaskConfig: every bad value gets its own message, and the config is null', () => {
  const msgs = (args: Record<string, unknown>, projectRoot?: string) => {
    const r = resolveTaskConfig({ functionName: 'f', args, ...(projectRoot ? { projectRoot } : {}) });
    return r.problems.map((p) => `${p.severity}: ${p.message}${p.fixes?.length ? ` => ${p.fixes.map((f) => f.newText).join(' | ')}` : ''}`);
  };
  assert.deepEqual(msgs({ compute: 5 }), ['error: compute must be a string; write "5" for 5 fuel units => "5"']);
  assert.deepEqual(msgs({ ram: 1024 }), ['error: ram must be a string with a unit, e.g. "512MB"; write "1024MB" for 1024 megabytes => "1024MB"']);
  assert.deepEqual(msgs({ ram: 64 }), ['error: ram must be a string with a unit, e.g. "512MB"; write "64MB" for 64 megabytes => "64MB"']);
  assert.deepEqual(msgs({ ram: '512' }), ['error: ram "512" is 512 bytes (a bare number means bytes), below the 16MB the Python runtime needs to start; did you mean "512MB"? => "512MB"']);
  assert.deepEqual(msgs({ ram: '1.5' }), ['error: ram "1.5" is 1.5 bytes (a bare number means bytes), below the 16MB the Python runtime needs to start; did you mean "1.5GB"? => "1.5GB"']);
  assert.deepEqual(msgs({ ram: '8MB' }), ['error: ram "8MB" is below the 16MB the Python runtime needs to start; use at least "16MB" => "16MB"']);
  assert.deepEqual(msgs({ ram: '1TB' }), ['error: ram "1TB" is more than the maximum of 4 GB (a wasm32 sandbox cannot address more) => "4GB"']);
  assert.deepEqual(msgs({ ram: '64M' }), ['error: ram "64M": unknown unit "M"; use B, KB, MB or GB, e.g. "512MB" => "64MB"']);
  assert.deepEqual(msgs({ timeout: '1d' }), ['error: timeout "1d": unknown unit "d"; use ms, s, m or h, e.g. "30s", "500ms" or "1m30s" => "24h"']);
  assert.deepEqual(msgs({ timeout: '30 seconds' }), ['error: timeout "30 seconds": unknown unit "seconds"; use ms, s, m or h, e.g. "30s", "500ms" or "1m30s" => "30s"']);
  assert.deepEqual(msgs({ timeout: '600h' }), ['error: timeout "600h" is longer than the runtime can time: the most is 596 h 31 m 24 s (2^31-1 ms, about 24.8 days); leave timeout out for no timeout']);
  assert.deepEqual(msgs({ ram: '512 mb' }), ['warning: ram "512 mb" is better written "512MB" => "512MB"']);
  assert.deepEqual(msgs({ timeout: 30 }), ['error: timeout must be a string with a unit; write "30s" for 30 seconds => "30s"']);
  assert.deepEqual(msgs({ timeout: null }), []);
  assert.deepEqual(msgs({ max_retries: -1 }), ['error: max_retries -1 is negative; use 0 (no retry) or more => 1 | 0']);
  assert.deepEqual(msgs({ max_retries: 1.5 }), ['error: max_retries 1.5 is not a whole number; use an integer of 0 or more, e.g. max_retries=3']);
  assert.deepEqual(msgs({ max_retries: null, ram: null, name: null }), []);
  assert.deepEqual(msgs({ max_retries: '3' }), ['error: max_retries must be an integer, not a string; write 3 => 3']);
  assert.deepEqual(msgs({ max_retries: true }), ['error: max_retries must be an integer of 0 or more, e.g. max_retries=3']);
  assert.deepEqual(msgs({ name: '' }), ['error: name is empty; give the task a name or leave name out to use the function name']);
  // One string where a list goes: the list of it, when that list is valid.
  assert.deepEqual(msgs({ allowed_hosts: 'api.x.com' }), ['error: allowed_hosts must be a list, e.g. allowed_hosts=["api.example.com"] => ["api.x.com"]']);
  assert.deepEqual(msgs({ env_variables: 'API_KEY' }), ['error: env_variables must be a list, e.g. env_variables=["API_KEY"] => ["API_KEY"]']);
  assert.deepEqual(msgs({ allowed_hosts: 'https://x.com' }), ['error: allowed_hosts must be a list, e.g. allowed_hosts=["api.example.com"]']);
  assert.deepEqual(msgs({ allowed_hosts: ['api.x.com:8080', 'user@api.x.com', 'api.x.com/v1', '*example.com', '*.com', 'a b'] }), [
    'error: allowed_hosts entry "api.x.com:8080" has a port (":8080"), so it never matches; hosts are matched by name alone, write "api.x.com" => "api.x.com"',
    'error: allowed_hosts entry "user@api.x.com" has user info ("user@"), so it never matches; hosts are matched by name alone, write "api.x.com" => "api.x.com"',
    'error: allowed_hosts entry "api.x.com/v1" has a path ("/v1"), so it never matches; hosts are matched by name alone, write "api.x.com" => "api.x.com"',
    'error: allowed_hosts entry "*example.com" has a bad wildcard; a wildcard is "*" alone or a whole first label, as in "*.example.com"',
    'error: allowed_hosts entry "*.com" is too broad a wildcard; a wildcard is "*" alone or a whole first label, as in "*.example.com" (use "*" to allow every host)',
    'error: allowed_hosts entry "a b" is not a valid host name: labels are letters, digits and "-", separated by "."',
  ]);
  assert.deepEqual(msgs({ env_variables: ['OK_1', '1BAD', 'has space', 'ÄPI'] }), [
    'error: env_variables entry "1BAD" is not a valid variable name: letters, digits and "_", not starting with a digit',
    'error: env_variables entry "has space" is not a valid variable name: letters, digits and "_", not starting with a digit => "HAS_SPACE" | "has_space"',
    'error: env_variables entry "ÄPI" is not a valid variable name: letters, digits and "_", not starting with a digit',
  ]);
  assert.deepEqual(msgs({ allowed_hosts: ['1.1', '*.0.0.1', '::1', '[::1]', '10.0.0.1'] }), [
    'error: allowed_hosts entry "1.1" looks like part of an IP address; write the whole address, e.g. "10.0.0.1" or "::1", which matches only itself',
    'error: allowed_hosts entry "*.0.0.1" looks like part of an IP address; write the whole address, e.g. "10.0.0.1" or "::1", which matches only itself',
  ]);
  assert.deepEqual(msgs({ colour: 'red' }), ['error: unknown parameter "colour"; @task takes name, compute, ram, timeout, max_retries, allowed_files, allowed_hosts, env_variables, durable']);
  assert.equal(resolveTaskConfig({ functionName: 'f', args: { ram: '0' } }).config, null);
});

test('no message suggests a value the schema refuses, and each fix is one it accepts; likely meanings come first', () => {
  const problems = (args: Record<string, unknown>) => resolveTaskConfig({ functionName: 'f', args }).problems;
  const said = (args: Record<string, unknown>) => problems(args).map((p) => `${p.message}${p.fixes?.length ? ` => ${p.fixes.map((f) => f.newText).join(' | ')}` : ''}`);
  // 7. Numbers without a unit: only readings the runtime accepts are suggested.
  assert.deepEqual(said({ timeout: 0.0001 }), ['timeout must be a string with a unit, e.g. "30s"; 0.0001 seconds is less than the millisecond the runtime counts in, so the task would time out before it starts']);
  assert.deepEqual(said({ timeout: 3000000 }), ['timeout must be a string with a unit, e.g. "30s"; 3000000 seconds is longer than the runtime can time (the most is 596 h 31 m 24 s); leave timeout out for no timeout']);
  assert.deepEqual(said({ ram: 8 }), ['ram must be a string with a unit, e.g. "512MB"; 8 is outside 16MB to 4 GB both as megabytes and as bytes']);
  assert.deepEqual(said({ ram: 67108864 }), ['ram must be a string with a unit, e.g. "512MB"; write "67108864B" for 67108864 bytes => "67108864B"']);
  assert.deepEqual(said({ ram: '1.5' }), ['ram "1.5" is 1.5 bytes (a bare number means bytes), below the 16MB the Python runtime needs to start; did you mean "1.5GB"? => "1.5GB"']);
  assert.deepEqual(said({ ram: '1' }), ['ram "1" is 1 byte (a bare number means bytes), below the 16MB the Python runtime needs to start; did you mean "1GB"? => "1GB"']);
  // 8. "64B" most likely meant "64MB"; the floor stays as the other way out. -3 most likely meant 3.
  assert.deepEqual(said({ ram: '64B' }), ['ram "64B" is 64 bytes, below the 16MB the Python runtime needs to start; did you mean "64MB"? Otherwise use at least "16MB" => "64MB" | "16MB"']);
  assert.deepEqual(said({ ram: '128B' }).map((m) => m.split(' => ')[1]), ['"128MB" | "16MB"']);
  assert.deepEqual(said({ ram: '512B' }).map((m) => m.split(' => ')[1]), ['"512MB" | "16MB"']);
  assert.deepEqual(said({ ram: '16B' }).map((m) => m.split(' => ')[1]), ['"16MB"']);
  assert.deepEqual(said({ ram: '8B' }).map((m) => m.split(' => ')[1]), ['"16MB"']);
  assert.deepEqual(said({ max_retries: -3 }), ['max_retries -3 is negative; use 0 (no retry) or more => 3 | 0']);
  // 9. Variables are upper case by convention; the name as written (with "_") is the other reading.
  assert.deepEqual(said({ env_variables: ['api-key'] }), ['env_variables entry "api-key" is not a valid variable name: letters, digits and "_", not starting with a digit => "API_KEY" | "api_key"']);
  assert.deepEqual(said({ env_variables: ['API-KEY'] }).map((m) => m.split(' => ')[1]), ['"API_KEY"']);
  // Every fix offered on these is accepted.
  const values: Array<[string, unknown]> = [['timeout', 0.0001], ['timeout', 3000000], ['timeout', 30], ['ram', 8], ['ram', 64], ['ram', 67108864], ['ram', '1.5'], ['ram', '64B'], ['ram', '1024KB'], ['max_retries', -3], ['env_variables', ['api-key']], ['env_variables', ['Api-Key']]];
  for (const [param, value] of values) {
    for (const p of problems({ [param]: value })) {
      for (const f of p.fixes ?? []) {
        const fixed: unknown = param === 'env_variables' ? [JSON.parse(f.newText)] : JSON.parse(f.newText);
        assert.deepEqual(problems({ [param]: fixed }).filter((q) => q.severity === 'error'), [], `${param}=${JSON.stringify(value)} -> ${f.newText}`);
      }
    }
  }
});

test('the examples in "not a literal" and "no value yet" messages are values the schema accepts: lists for list parameters', () => {
  const message = (name: string, text: string, incomplete = false) =>
    resolveTaskConfig({ functionName: 'f', args: [{ name, value: { kind: 'dynamic', text }, ...(incomplete ? { incomplete } : {}) }] }).problems[0]!.message;
  const example = (m: string) => /e\.g\. (\w+)=(.*?)(?: \(|$)/.exec(m)!.slice(1, 3) as [string, string];
  const cases: Array<[string, string]> = [['allowed_files', 'make()'], ['allowed_files', '{"data"}'], ['allowed_hosts', 'make()'], ['env_variables', '{"HOME"}'], ['compute', 'C'], ['ram', 'R'], ['timeout', 'T'], ['max_retries', 'N']];
  for (const [param, text] of cases) {
    for (const m of [message(param, text), message(param, text, true)]) {
      const [name, value] = example(m);
      assert.equal(name, param, m);
      const parsed: unknown = JSON.parse(value);
      assert.deepEqual(resolveTaskConfig({ functionName: 'f', args: { [name]: parsed } }).problems, [], m);
    }
  }
  assert.equal(message('allowed_files', 'make()'), 'allowed_files=make() is not a literal: the runtime reads @task\'s values before it runs the file, so write the value itself, e.g. allowed_files=["data"] (a module-level constant assigned once to a literal, and never changed, also works)');
  assert.equal(message('env_variables', '{"HOME"}', true), 'env_variables= has no value yet, e.g. env_variables=["API_KEY"]');
});

test('allowed_files: relative, existing directories inside the project, even through symlinks; modes', () => {
  const root = tempDir('capsule-files-');
  const outside = tempDir('capsule-outside-');
  mkdirSync(join(root, 'data'));
  writeFileSync(join(root, 'data', 'x.csv'), '1');
  symlinkSync(outside, join(root, 'escape'));
  symlinkSync(join(root, 'data'), join(root, 'alias'));
  symlinkSync(root, join(root, 'self'));
  const r = resolveTaskConfig({ functionName: 'f', projectRoot: root, args: { allowed_files: ['data', { path: 'alias', mode: 'ro' }] } });
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.config?.allowedFiles, [{ path: 'data', mode: 'read-write' }, { path: 'alias', mode: 'read-only' }]);
  const bad = resolveTaskConfig({ functionName: 'f', projectRoot: root, args: { allowed_files: ['escape', 'data/x.csv', '../x', { path: 'data', mode: 'write' }, { mode: 'ro' }, { path: 'data', size: 1 }, '.', './', 'data/..', 'self'] } });
  const reserved = (p: string) => `allowed_files entry "${p}" is the project root itself, which every task already sees read-only at /project and which cannot be granted; grant a folder inside it, e.g. "data"`;
  assert.deepEqual(bad.problems.map((p) => p.message), [
    `allowed_files entry "escape" leads outside the project through a symbolic link (to ${outside})`,
    'allowed_files entry "data/x.csv" is a file; grants are directories, e.g. the folder that holds it',
    `allowed_files entry "../x" is outside the project (${root})`,
    'allowed_files mode "write" is not one of "read-only", "read-write", "ro" or "rw"',
    'allowed_files entry has no "path"; use {"path": "data", "mode": "read-only"}',
    'allowed_files entry has an unknown key "size"; use {"path": "data", "mode": "read-only"}',
    reserved('.'),
    reserved('./'),
    reserved('data/..'),
    reserved('self'),
  ]);
});

test('hostAllowed: deny by default, "*", a domain and its subdomains, "*." one extra label, schemes never match', () => {
  assert.equal(hostAllowed('api.example.com', []), false);
  assert.equal(hostAllowed('anything.org', ['*']), true);
  assert.equal(hostAllowed('example.com', ['example.com']), true);
  assert.equal(hostAllowed('api.example.com', ['example.com']), true);
  assert.equal(hostAllowed('a.b.example.com', ['example.com']), true);
  assert.equal(hostAllowed('notexample.com', ['example.com']), false);
  assert.equal(hostAllowed('API.Example.COM', ['example.com']), true);
  assert.equal(hostAllowed('api.example.com', ['*.example.com']), true);
  assert.equal(hostAllowed('example.com', ['*.example.com']), false);
  assert.equal(hostAllowed('a.b.example.com', ['*.example.com']), false);
  assert.equal(hostAllowed('api.x.com', ['https://api.x.com']), false);
  assert.equal(hostAllowed('api.x.com', ['api.x.com:443']), false);
  assert.equal(hostAllowed('evil.com', ['example.com', 'other.org']), false);
});

test('hostAllowed: a trailing dot is the same name, checked as such; a name of one label matches only itself', () => {
  const refused = (entry: string) => !checkHostEntry(entry).ok;
  assert.ok(refused('*.com.'), 'a trailing dot does not get a too-broad wildcard through');
  assert.equal(hostAllowed('x.com', ['*.com.']), false);
  assert.equal(hostAllowed('a.example.com', ['*.example.com.']), true);
  assert.equal(hostAllowed('a.example.com', ['example.com.']), true);
  assert.equal(hostAllowed('example.com.', ['example.com']), true);
  // "com" (or "com.") names one host; it does not allow every .com host.
  for (const entry of ['com', 'com.', 'COM']) {
    assert.equal(hostAllowed('x.com', [entry]), false, entry);
    assert.equal(hostAllowed('api.example.com', [entry]), false, entry);
    assert.equal(hostAllowed('com', [entry]), true, entry);
  }
  assert.equal(hostAllowed('localhost', ['localhost']), true);
  assert.equal(hostAllowed('localhost.', ['localhost']), true);
  assert.ok(refused('.'));
  assert.ok(refused('1.1.'));
});

test('allowed_hosts: a mistyped or missing scheme still gives the host; a message never says write ""', () => {
  const check = (entry: string) => {
    const r = checkHostEntry(entry);
    return r.ok ? 'ok' : `${r.error}${r.fix ? ` => ${r.fix}` : ''}`;
  };
  assert.equal(check('http:/example.com'), 'allowed_hosts entry "http:/example.com" has a scheme ("http:/"), so it never matches; hosts are matched by name alone, write "example.com" => example.com');
  assert.equal(check('https//example.com'), 'allowed_hosts entry "https//example.com" has a scheme ("https//"), so it never matches; hosts are matched by name alone, write "example.com" => example.com');
  assert.equal(check('https:///example.com'), 'allowed_hosts entry "https:///example.com" has a scheme ("https:///"), so it never matches; hosts are matched by name alone, write "example.com" => example.com');
  assert.equal(check('//example.com'), 'allowed_hosts entry "//example.com" has a "//" prefix, so it never matches; hosts are matched by name alone, write "example.com" => example.com');
  assert.equal(check('https://'), 'allowed_hosts entry "https://" has a scheme ("https://"), so it never matches and names no host');
  assert.equal(check('https://:80'), 'allowed_hosts entry "https://:80" has a scheme ("https://") and a port (":80"), so it never matches and names no host');
  // An international name: its ASCII form, the one a request's URL carries, never the refused one.
  assert.equal(check('https://例え.jp/'), 'allowed_hosts entry "https://例え.jp/" has a scheme ("https://") and a path ("/"), so it never matches; hosts are matched by name alone, write "xn--r8jz45g.jp" => xn--r8jz45g.jp');
  assert.equal(check('例え.jp'), 'allowed_hosts entry "例え.jp" is not a valid host name: labels are letters, digits and "-", separated by "."; write its ASCII form "xn--r8jz45g.jp" => xn--r8jz45g.jp');
  assert.equal(check('https://exa mple.com'), 'allowed_hosts entry "https://exa mple.com" has a scheme ("https://"), so it never matches; hosts are matched by name alone');
  assert.equal(hostAllowed(new URL('https://例え.jp/').hostname, ['xn--r8jz45g.jp']), true);
  for (const entry of ['http:/example.com', 'https//example.com', '//example.com', 'https://', 'https://:80', 'https://例え.jp/', '例え.jp']) {
    const r = checkHostEntry(entry);
    assert.doesNotMatch(r.ok ? '' : r.error, /write ""/, entry);
    if (!r.ok && r.fix) assert.ok(checkHostEntry(r.fix).ok, `${entry}: the fix ${r.fix} is accepted`);
  }
});

test('hostAllowed: an IP address matches only itself, never by suffix; IPv6 can be written', () => {
  assert.equal(hostAllowed('10.1.1.1', ['1.1']), false);
  assert.equal(hostAllowed('127.0.0.1', ['0.1', '*.0.0.1']), false);
  assert.equal(hostAllowed('10.0.0.1', ['10.0.0.1']), true);
  assert.equal(hostAllowed('110.0.0.1', ['10.0.0.1']), false);
  assert.equal(hostAllowed('x.10.0.0.1', ['10.0.0.1']), false);
  assert.equal(hostAllowed('::1', ['::1']), true);
  assert.equal(hostAllowed('::1', ['[::1]']), true);
  assert.equal(hostAllowed('::1', ['0:0:0:0:0:0:0:1']), true);
  assert.equal(hostAllowed('::2', ['::1']), false);
  assert.equal(hostAllowed('127.0.0.1', ['*']), true);
});

test('durable: True or False, kept only when written; near misses get the literal they meant', () => {
  const r = (durable: unknown) => resolveTaskConfig({ functionName: 'f', args: { durable } });
  assert.equal(r(true).config?.durable, true);
  assert.equal(r(false).config?.durable, false);
  assert.equal('durable' in resolveTaskConfig({ functionName: 'f', args: {} }).config!, false, 'not written: [workflow] durable decides');
  assert.equal(r(null).config?.durable, undefined);
  const msg = (durable: unknown) => r(durable).problems.map((p) => `${p.message}${p.fixes?.length ? ` => ${p.fixes.map((f) => f.newText).join(' | ')}` : ''}`);
  assert.deepEqual(msg(1), ['durable must be True or False, not 1; write True => True']);
  assert.deepEqual(msg('false'), ['durable must be True or False, not the string "false"; write False => False']);
  assert.deepEqual(msg('yes'), ['durable must be True or False (True: when the run is interrupted, the next run of this task with the same arguments resumes it from its journal)']);
  assert.equal(r(1).config, null);
});

test('control and invisible characters in a value are written as escapes in its message, so "\\x1cLOW" does not read "LOW"', () => {
  const said = (v: string) => resolveTaskConfig({ functionName: 'f', args: { compute: v } }).problems.map((p) => p.message);
  assert.deepEqual(said('\x1cLOW'), ['compute "\\x1cLOW" is not a level; use "LOW", "MEDIUM", "HIGH" or a digit string of fuel units, e.g. "5000000"']);
  assert.match(said('\ufeffLOW')[0]!, /^compute "\\ufeffLOW" is not a level/);
  assert.match(said('LOW\u200b')[0]!, /^compute "LOW\\u200b" is not a level/);
  assert.match(said('ÜLTRA')[0]!, /^compute "ÜLTRA" is not a level/, 'printable non-ASCII stays as written');
});

test('a compute budget under what starting a task takes is warned, not refused', () => {
  const said = (v: string) => resolveTaskConfig({ functionName: 'f', args: { compute: v } });
  const low = said('1000000');
  assert.equal(low.config?.fuel, 1_000_000, 'it still runs, with the budget written');
  assert.deepEqual(low.problems.map((p) => [p.severity, p.message]), [['warning', 'compute "1000000" is a budget of 1,000,000 fuel units; starting a task takes about 1M (its first run, which compiles the file, up to 4M), so it will likely run out of fuel; "LOW" is 100M']]);
  assert.deepEqual(said('2000000').problems, []);
  assert.deepEqual(said('LOW').problems, []);
});
