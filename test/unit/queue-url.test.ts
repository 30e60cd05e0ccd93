// The queue's address: what parseQueueUrl accepts, and the message for what it refuses
// (the same for --queue, CAPSULE_QUEUE, capsule.toml's [queue] url and capsule worker).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQueueUrl, QueueUrlError } from '../../runtime/src/queue/url';

test('redis://HOST[:PORT][/DB] with an optional user and password', () => {
  assert.deepEqual(parseQueueUrl('redis://127.0.0.1:6380/2'), { host: '127.0.0.1', port: 6380, db: 2, shown: 'redis://127.0.0.1:6380/2' });
  assert.deepEqual(parseQueueUrl('redis://queue.internal'), { host: 'queue.internal', port: 6379, db: 0, shown: 'redis://queue.internal:6379/0' });
  const secret = parseQueueUrl('redis://:p%40ss@h:1/0');
  assert.equal(secret.password, 'p@ss');
  assert.equal(secret.shown, 'redis://h:1/0', 'the password is never shown');
  assert.equal(parseQueueUrl('redis://[::1]:7000').host, '::1');
});

test('what is refused, and why', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /it is empty/],
    ['localhost:6379', /the scheme is "localhost", not redis|it is not a URL/],
    ['http://h:1', /the scheme is "http", not redis/],
    ['rediss://h:1', /TLS \(rediss:\/\/\) is not supported yet/],
    ['redis://h:1/x', /"\/x" is not a database number/],
    ['redis://h:1/16', /database 16 is past 15/],
    ['redis://h:1/0?timeout=1', /it has a query or a fragment/],
    ['redis://h:99999', /it is not a URL/],
  ];
  for (const [text, why] of cases) {
    assert.throws(() => parseQueueUrl(text, '--queue'), (e: unknown) => {
      assert.ok(e instanceof QueueUrlError);
      assert.match(e.message, why);
      assert.ok(e.message.startsWith(`--queue "${text}": `), e.message);
      assert.match(e.message, /expected redis:\/\/HOST:PORT\[\/DB\]/);
      return true;
    }, text);
  }
});
