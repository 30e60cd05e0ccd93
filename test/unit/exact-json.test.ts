// The exact JSON of the sandbox boundary: the scanner agrees with JSON.parse on
// what is valid (seeded property test), keeps nesting bounded without recursing,
// and numbers keep their text both ways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ExactNumber, JsonValueError, MAX_VALUE_DEPTH, RawJson, parseExact, scanJson, toExactJson } from '../../runtime/src/values/exact-json';

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

test('scanJson accepts exactly what JSON.parse accepts (seeded, 3,000 cases)', () => {
  const valid = fc.json({ maxDepth: 6 });
  // Valid JSON with one character dropped, doubled or replaced: mostly invalid.
  const mutated = fc.tuple(valid, fc.nat(), fc.constantFrom('', ',', ']', '}', '"', '\\', '-', '.', 'e', '0', ' ', '\u0001', 'x')).map(([t, at, c]) => {
    const i = t.length ? at % t.length : 0;
    return t.slice(0, i) + c + t.slice(i + 1);
  });
  fc.assert(
    fc.property(fc.oneof(valid, mutated, fc.string()), (text) => {
      let native = true;
      try {
        JSON.parse(text);
      } catch {
        native = false;
      }
      let ours = true;
      try {
        scanJson(text, 'x');
      } catch (e) {
        assert.ok(e instanceof JsonValueError, String(e));
        ours = false;
      }
      assert.equal(ours, native, `verdicts differ on ${JSON.stringify(text)}`);
    }),
    { seed: 1307, numRuns: 3000 },
  );
});

test(`nesting: ${MAX_VALUE_DEPTH} levels pass, one more is refused by name, and 1,000,000 levels are refused at once`, () => {
  scanJson(nested(MAX_VALUE_DEPTH), 'v');
  scanJson(`{"a": ${nested(MAX_VALUE_DEPTH - 1)}}`, 'v');
  assert.throws(() => scanJson(nested(MAX_VALUE_DEPTH + 1), 'the value'), /^JsonValueError: the value is nested too deeply: more than 500 levels/);
  assert.throws(() => scanJson(nested(1_000_000), 'v'), /nested too deeply/);
  const deep: unknown[] = [];
  let cur = deep;
  for (let i = 0; i < 5000; i++) cur.push((cur = []));
  assert.throws(() => toExactJson(deep, 'args'), /^JsonValueError: args(\[0\]){500} is nested too deeply/);
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  assert.throws(() => toExactJson(cycle, 'kwargs'), /nested too deeply/);
});

test('parseExact keeps every number as written where a JS number would not', () => {
  const text = '{"big": 18446744073709551616, "huge": 1267650600228229401496703205376, "f": 3.0, "small": 1e-07, "plain": 2.5, "n": 7, "neg": -0.0}';
  const v = parseExact(text) as Record<string, unknown>;
  assert.ok(v.big instanceof ExactNumber && v.f instanceof ExactNumber && v.small instanceof ExactNumber && v.neg instanceof ExactNumber);
  assert.equal(v.plain, 2.5);
  assert.equal(v.n, 7);
  assert.equal(toExactJson(v, 'v'), text.replace(/: /g, ':').replace(/, /g, ','));
  // Native JSON.stringify still works, with the nearest doubles.
  assert.equal(JSON.stringify({ f: v.f }), '{"f":3}');
  // Duplicate keys: the last wins, as in Python's json.loads and JSON.parse.
  assert.deepEqual(parseExact('{"1": 1.0, "1": 2.0}'), { 1: new ExactNumber('2.0') });
});

test('toExactJson names what JSON cannot carry and where it was', () => {
  const cases: Array<[unknown, RegExp]> = [
    [[1, Number.NaN], /^JsonValueError: args\[1\] is NaN, which JSON cannot carry/],
    [{ a: { b: Infinity } }, /^JsonValueError: args\.a\.b is Infinity/],
    [{ 'a b': new Map() }, /^JsonValueError: args\["a b"\] is a Map, which JSON cannot carry/],
    [[new Set([1])], /args\[0\] is a Set/],
    [[undefined], /args\[0\] is undefined/],
    [{ f: () => 1 }, /args\.f is a function/],
  ];
  for (const [value, message] of cases) assert.throws(() => toExactJson(value, 'args'), message);
  assert.equal(toExactJson([10n ** 30n, new Date(0), RawJson.of('[1.0, 2]', 'r')], 'v'), '[1000000000000000000000000000000,"1970-01-01T00:00:00.000Z",[1.0, 2]]');
  assert.throws(() => RawJson.of('1, 2', 'the result'), /the result: not valid JSON: unexpected text after the value/);
});

test('the scanner reports floats too large for a double, and positions', () => {
  assert.equal(scanJson('[1e400]', 'v').overflow, '1e400');
  assert.equal(scanJson('[1' + '0'.repeat(400) + ']', 'v').overflow, null); // an int of any size is fine
  assert.equal(scanJson('[1.0]', 'v').plainNumbers, false);
  assert.equal(scanJson('[1, 2.5, "3.0"]', 'v').plainNumbers, true);
  assert.throws(() => scanJson('[1,', 'argument 1'), /^JsonValueError: argument 1: not valid JSON: the text ends where a value was expected at position 4$/);
  assert.throws(() => scanJson('{\n  "a": 1,\n}', 'f.json'), /at line 3 column 1$/);
});
