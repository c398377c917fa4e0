import assert from 'node:assert/strict';
import { test } from 'node:test';
import { taskEnvironment } from './task-env.js';

const config = { apiHost: 'http://api:8008', webHost: 'http://api:8080', filesHost: 'http://api:8081', accessKey: 'AK', secretKey: 'SK' };

test('the task process gets what the clearml SDK needs to attach to its task remotely', () => {
  const env = taskEnvironment({
    base: { PATH: '/usr/bin', PYTHONPATH: '/lib/py', CLEARML_TASK_ID: 'old', CLEARML_PROC_MASTER_ID: '12:old', CLEARML_CONFIG_FILE: '/x.conf', CLEARML_CACHE_DIR: '/cache' },
    config, taskId: 'T1', workerId: 'box:0', gpus: '0,1', pythonPath: ['/w/code/src', '/w/code'],
  });
  assert.equal(env.CLEARML_TASK_ID, 'T1');
  assert.equal(env.TRAINS_TASK_ID, 'T1');
  assert.equal(env.CLEARML_WORKER_ID, 'box:0');
  assert.equal(env.CLEARML_LOG_TASK_TO_BACKEND, '0');
  assert.deepEqual([env.CLEARML_API_HOST, env.CLEARML_WEB_HOST, env.CLEARML_FILES_HOST], ['http://api:8008', 'http://api:8080', 'http://api:8081']);
  assert.deepEqual([env.CLEARML_API_ACCESS_KEY, env.CLEARML_API_SECRET_KEY], ['AK', 'SK']);
  assert.deepEqual([env.CUDA_VISIBLE_DEVICES, env.NVIDIA_VISIBLE_DEVICES, env.CUDA_DEVICE_ORDER], ['0,1', '0,1', 'PCI_BUS_ID']);
  assert.equal(env.PYTHONPATH, '/w/code/src:/w/code:/lib/py');
  assert.equal(env.CLEARML_PROC_MASTER_ID, undefined);
  assert.equal(env.CLEARML_CONFIG_FILE, undefined, 'no configuration but the agent\'s');
  assert.equal(env.CLEARML_CACHE_DIR, '/cache');
  assert.equal(env.PATH, '/usr/bin');
});

test("the task reads the agent's clearml.conf (its S3 credentials and default output), wherever the agent found it", () => {
  const env = taskEnvironment({
    base: { TRAINS_CONFIG_FILE: '/old.conf' }, config, taskId: 'T', workerId: 'w', pythonPath: ['/c'], configFile: '/etc/agent/clearml.conf',
  });
  assert.equal(env.CLEARML_CONFIG_FILE, '/etc/agent/clearml.conf');
  assert.equal(env.TRAINS_CONFIG_FILE, undefined);
});

test("without --gpus the GPU selection of the agent's environment is left alone", () => {
  const env = taskEnvironment({ base: { CUDA_VISIBLE_DEVICES: '3' }, config, taskId: 'T', workerId: 'w', pythonPath: ['/c'] });
  assert.equal(env.CUDA_VISIBLE_DEVICES, '3');
  assert.equal(env.NVIDIA_VISIBLE_DEVICES, undefined);
});
