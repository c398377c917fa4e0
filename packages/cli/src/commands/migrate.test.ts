import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../testing/run-cli.js';

/** The copy itself, PostgreSQL included, is tested in packages/server/src/store/copy. */
const dir = mkdtempSync(join(tmpdir(), 'cairn-migrate-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CAIRN_')));
const cli = (...args: string[]) => runCli(args, env);

describe('cairn migrate', () => {
  test('needs --from and a postgres:// --to; --help prints the usage', async () => {
    const help = await cli('migrate', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^cairn migrate --from DATA_DIR --to postgres:/);
    const noFrom = await cli('migrate', '--to', 'postgres://u@h/db');
    assert.equal(noFrom.code, 2);
    assert.match(noFrom.stderr, /^cairn migrate: --from DATA_DIR is required\n\ncairn migrate --from DATA_DIR --to/);
    const badUrl = await cli('migrate', '--from', dir, '--to', 'mysql://u@h/db');
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /--to must be a postgres:\/\/USER:PASSWORD@HOST:PORT\/DB URL/);
  });

  test('names a data folder without a store, and a database it cannot reach without its password', async () => {
    const missing = await cli('migrate', '--from', join(dir, 'nothing'), '--to', 'postgres://u@127.0.0.1:1/db');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^cairn migrate: .*nothing\/cairn\.sqlite does not exist$/m);
    const data = join(dir, 'to-migrate');
    assert.equal((await cli('users', 'create', 'alice', '--password', 'long-enough', '--data-dir', data)).code, 0);
    const unreachable = await cli('migrate', '--from', data, '--to', 'postgres://u:s3cret@127.0.0.1:1/db');
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /^cairn migrate: cannot open the database postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/db: .*ECONNREFUSED/m);
    assert.doesNotMatch(unreachable.stderr, /s3cret/);
  });
});

describe('cairn backup and restore', () => {
  test('a data folder backed up and restored into another answers the same; neither overwrites', async () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    const file = join(dir, 'backup.sqlite');
    assert.equal((await cli('users', 'create', 'alice', '--password', 'long-enough', '--data-dir', a)).code, 0);

    const backup = await cli('backup', '--to', file, '--data-dir', a);
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stdout, /^backed up .*a\/cairn\.sqlite to .*backup\.sqlite$/m);
    assert.match(backup.stdout, /^users\s+1$/m);
    assert.match(backup.stdout, /Uploaded files are not part of the backup/);
    const again = await cli('backup', '--to', file, '--data-dir', a);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^cairn backup: .*backup\.sqlite already exists/m);

    const restore = await cli('restore', '--from', file, '--data-dir', b);
    assert.equal(restore.code, 0, restore.stderr);
    assert.match(restore.stdout, /^users\s+1\s+1$/m);
    assert.match((await cli('users', 'list', '--data-dir', b)).stdout, /^alice\s+user\s+active/m);
    const over = await cli('restore', '--from', file, '--data-dir', a);
    assert.equal(over.code, 1);
    assert.match(over.stderr, /^cairn restore: .*a\/cairn\.sqlite is not empty: users \(1 row\)\. Nothing was restored/m);
  });

  test('refuse a missing file flag, a file that is not a store and a bad database URL', async () => {
    const noTo = await cli('backup', '--data-dir', dir);
    assert.equal(noTo.code, 2);
    assert.match(noTo.stderr, /^cairn backup: --to FILE is required\n\ncairn backup --to FILE/);
    const missing = await cli('restore', '--from', join(dir, 'missing.sqlite'), '--data-dir', join(dir, 'c'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /missing\.sqlite does not exist/);
    writeFileSync(join(dir, 'junk'), 'not a database, but long enough to have a header: '.repeat(10));
    const junk = await cli('restore', '--from', join(dir, 'junk'), '--data-dir', join(dir, 'c'));
    assert.equal(junk.code, 1);
    assert.match(junk.stderr, /^cairn restore: .*junk is not a SQLite database/m);
    const badUrl = await cli('restore', '--from', join(dir, 'backup.sqlite'), '--database', 'mysql://x');
    assert.equal(badUrl.code, 1);
    assert.match(badUrl.stderr, /^cairn restore: --database \/ CAIRN_DATABASE_URL must be a postgres:/m);
  });
});
