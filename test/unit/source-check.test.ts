// Which task files python3 refuses before parsing them (encoding, NUL bytes),
// checked against python3 itself running each file, line for line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkSourceBytes, decodeSource } from '../../runtime/src/discovery/source-check';
import { tempDir } from '../temp-dir';

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');
const CASES: Record<string, Buffer> = {
  utf8: Buffer.from("x = 1\ns = 'Grüße ✓ 日本語 🎉'\n"),
  utf8_bom: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("s = 'é'\n")]),
  latin1_in_string: latin1("x = 1\ns = 'caf\xe9'\n"),
  latin1_in_comment: latin1('x = 1\n# caf\xe9\ny = 2\n'),
  latin1_after_cjk: Buffer.concat([Buffer.from("s = '日本'  # "), latin1('\xe9\n')]),
  latin1_declared: latin1("# -*- coding: latin-1 -*-\ns = 'caf\xe9'\n"),
  latin1_declared_line2: latin1("#!/usr/bin/env python3\n# coding=iso-8859-1\ns = 'caf\xe9'\n"),
  cookie_too_late: latin1("x = 1\n# coding: latin-1\ns = 'caf\xe9'\n"),
  utf16_bom: Buffer.from('\ufeffx = 1\n', 'utf16le'),
  utf16_no_bom: Buffer.from('x = 1\n', 'utf16le'),
  nul: Buffer.from('x = 1\ny = 2\0\n'),
  surrogate: Buffer.from([0x73, 0x3d, 0x27, 0xed, 0xa0, 0x80, 0x27, 0x0a]),
  overlong: Buffer.from([0x73, 0x3d, 0x27, 0xc0, 0xaf, 0x27, 0x0a]),
  truncated: Buffer.from([0x78, 0x3d, 0x31, 0x0a, 0x23, 0xe6, 0x97]),
};

function python3Verdict(dir: string, name: string, bytes: Buffer): { ok: boolean; line: number | null; text: string } {
  const file = join(dir, `${name}.py`);
  writeFileSync(file, bytes);
  const r = spawnSync('python3', [file], { encoding: 'utf8' });
  const line = /line (\d+)/.exec(r.stderr);
  return { ok: r.status === 0, line: line ? Number(line[1]) : null, text: r.stderr.trim().split('\n').pop() ?? '' };
}

test('checkSourceBytes refuses what python3 refuses, at the same line', () => {
  const dir = tempDir('capsule-source-');
  for (const [name, bytes] of Object.entries(CASES)) {
    const native = python3Verdict(dir, name, bytes);
    const ours = checkSourceBytes(bytes);
    assert.equal(ours === null, native.ok, `${name}: python3 says ${native.ok ? 'ok' : native.text}, we say ${ours ? ours.message : 'ok'}`);
    if (ours && native.line !== null) assert.equal(ours.line, native.line, `${name}: ${native.text}`);
    if (ours && /Non-UTF-8 code starting with '(\\x..)'/.test(native.text)) {
      assert.ok(ours.message.includes(native.text.match(/Non-UTF-8 code starting with '\\x..'/)![0]), `${name}: ${ours.message} vs ${native.text}`);
    }
  }
});

test('positions, and the hints python3 does not give', () => {
  assert.deepEqual(checkSourceBytes(CASES.latin1_after_cjk!), {
    line: 1,
    column: 13,
    message: "Non-UTF-8 code starting with '\\xe9', but no encoding declared; see https://peps.python.org/pep-0263/ for details",
  });
  assert.deepEqual(checkSourceBytes(CASES.nul!), { line: 2, column: 6, message: 'source code cannot contain null bytes' });
  assert.match(checkSourceBytes(CASES.utf16_bom!)!.message, /^Non-UTF-8 code starting with '\\xff': the file is UTF-16 \(it starts with the byte-order mark FF FE\); Python source must be UTF-8/);
  assert.match(checkSourceBytes(CASES.utf16_no_bom!)!.message, /null bytes \(the file looks like UTF-16: save it as UTF-8\)/);
  assert.equal(decodeSource(CASES.latin1_declared!), "# -*- coding: latin-1 -*-\ns = 'café'\n");
  assert.equal(decodeSource(CASES.utf8_bom!), "s = 'é'\n");
});
