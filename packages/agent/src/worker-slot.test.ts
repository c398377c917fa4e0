import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { takeWorkerSlot, WorkerIdTakenError } from './worker-slot.js';

const lockDir = mkdtempSync(join(tmpdir(), 'cairn-slots-'));
after(() => rmSync(lockDir, { recursive: true, force: true }));

test('agents on one machine get the lowest free slot, and free it again', () => {
  const a = takeWorkerSlot({ host: 'box', lockDir });
  const b = takeWorkerSlot({ host: 'box', lockDir });
  assert.equal(a.workerId, 'box:cairn-0');
  assert.equal(b.workerId, 'box:cairn-1');
  assert.equal(readFileSync(join(lockDir, `${encodeURIComponent('box:cairn-0')}.pid`), 'utf8'), String(process.pid));
  a.release();
  const c = takeWorkerSlot({ host: 'box', lockDir });
  assert.equal(c.workerId, 'box:cairn-0');
  b.release();
  c.release();
  // a slot refused by the server (another agent elsewhere reports under it) is skipped
  const d = takeWorkerSlot({ host: 'box', lockDir, from: 1 });
  assert.equal(d.workerId, 'box:cairn-1');
  assert.equal(d.slot, 1);
  d.release();
});

test('a pid file left by a dead process is taken over', () => {
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  writeFileSync(join(lockDir, `${encodeURIComponent('host2:cairn-0')}.pid`), dead);
  const slot = takeWorkerSlot({ host: 'host2', lockDir });
  assert.equal(slot.workerId, 'host2:cairn-0');
  slot.release();
  assert.equal(existsSync(join(lockDir, `${encodeURIComponent('host2:cairn-0')}.pid`)), false);
});

test('--gpus and --name give fixed ids that only one agent may hold', () => {
  const gpu = takeWorkerSlot({ host: 'box', gpus: '0,1', lockDir });
  assert.equal(gpu.workerId, 'box:cairn-gpu0,1');
  assert.throws(() => takeWorkerSlot({ host: 'box', gpus: '0,1', lockDir }), WorkerIdTakenError);
  const named = takeWorkerSlot({ name: 'trainer-a', lockDir });
  assert.equal(named.workerId, 'trainer-a');
  gpu.release();
  named.release();
});
