import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseNvidiaSmi, queryGpuStats } from './gpu-stats.js';
import { MachineStatsSampler } from './machine-stats.js';

const dir = mkdtempSync(join(tmpdir(), 'cairn-stats-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SMI_OUTPUT = '0, 87, 64, 30512, 50408\n1, 3, 41, 2, 81557\n2, [N/A], [N/A], 10, 20\n';

test('parses nvidia-smi csv, optionally for the selected GPUs only', () => {
  assert.deepEqual(parseNvidiaSmi(SMI_OUTPUT), {
    gpu_usage: [87, 3, 0], gpu_temperature: [64, 41, 0], gpu_memory_used: [30512, 2, 10], gpu_memory_free: [50408, 81557, 20],
  });
  assert.deepEqual(parseNvidiaSmi(SMI_OUTPUT, new Set([1])).gpu_usage, [3]);
});

test('asks nvidia-smi for the fields it parses, and reports nothing without it', async () => {
  // No GPU on the test machines: a stand-in nvidia-smi checks the arguments and answers like the real one.
  const fake = join(dir, 'nvidia-smi');
  writeFileSync(fake, `#!/bin/sh\n[ "$1" = "--query-gpu=index,utilization.gpu,temperature.gpu,memory.used,memory.free" ] && [ "$2" = "--format=csv,noheader,nounits" ] || exit 9\nprintf '${SMI_OUTPUT.replace(/\n/g, '\\n')}'\n`);
  chmodSync(fake, 0o755);
  const stats = await queryGpuStats(fake);
  assert.deepEqual(stats?.gpu_memory_free, [50408, 81557, 20]);
  assert.equal(await queryGpuStats(join(dir, 'absent-nvidia-smi')), undefined);
});

test('samples memory, disk and, from the second sample on, rates from /proc', async () => {
  const sampler = new MachineStatsSampler({ nvidiaSmi: join(dir, 'nvidia-smi') });
  const first = await sampler.sample();
  assert.ok(first.memory_used! > 0 && first.memory_free! > 0);
  assert.ok(first.disk_free_home! > 0 && first.disk_free_home! <= 100);
  assert.equal(first.cpu_usage, undefined);
  let x = 0;
  for (let i = 0; i < 2e7; i++) x += i;
  assert.ok(x > 0);
  const second = await sampler.sample();
  assert.equal(second.cpu_usage!.length, 1);
  assert.ok(second.cpu_usage![0]! >= 0 && second.cpu_usage![0]! <= 100);
  for (const k of ['network_rx', 'network_tx', 'disk_read', 'disk_write'] as const) assert.ok(second[k]! >= 0, k);
  assert.deepEqual(second.gpu_usage, [87, 3, 0]);
});
