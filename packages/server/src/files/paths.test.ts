import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FileServerError, writeFailure } from './errors.js';
import { decodeUrlPath, resolveUnder, toSegments } from './paths.js';

const status = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as FileServerError).status;
  }
  return 0;
};

test('URL paths are decoded exactly once', () => {
  assert.equal(decodeUrlPath('/Proj%20%25C3%25A9%25231/d%C3%AFct.json'), '/Proj %C3%A9%231/dïct.json');
  assert.equal(decodeUrlPath('/plain/name.txt'), '/plain/name.txt');
});

test('a malformed escape is a 400', () => {
  assert.equal(status(() => decodeUrlPath('/100%/a')), 400);
  assert.equal(status(() => decodeUrlPath('/%E9')), 400);
});

test('segments drop empty parts and refuse escapes, NUL and the temp folder', () => {
  assert.deepEqual(toSegments('/a//b/./c d'), ['a', 'b', 'c d']);
  assert.deepEqual(toSegments('/'), []);
  assert.equal(status(() => toSegments('/a/../../etc/passwd')), 400);
  assert.equal(status(() => toSegments('..')), 400);
  assert.equal(status(() => toSegments('/a\0b')), 400);
  assert.equal(status(() => toSegments('/.cairn-tmp/x')), 400);
  assert.deepEqual(toSegments('/..a/b..'), ['..a', 'b..']);
});

test('resolved paths stay under the root', () => {
  assert.equal(resolveUnder('/srv/files', ['a', 'b.txt']), '/srv/files/a/b.txt');
  assert.equal(status(() => resolveUnder('/srv/files', ['/etc'])), 400);
});

test('a full disk maps to 507 and a blocking file to 409', () => {
  const enospc = Object.assign(new Error('no space'), { code: 'ENOSPC' });
  assert.equal(writeFailure(enospc, 'x').status, 507);
  assert.match(writeFailure(enospc, 'x').message, /out of disk space/);
  assert.equal(writeFailure(Object.assign(new Error(), { code: 'ENOTDIR' }), 'x').status, 409);
});
