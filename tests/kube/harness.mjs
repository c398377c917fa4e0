/**
 * Shared set-up of the Kubernetes suites: a real control plane from shared/kube (real
 * apiserver, etcd, scheduler and controller-manager; a fake GPU node whose pods kwok
 * simulates: no container runs), a Cairn server, and waiting helpers.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** shared/ beside the repository (CAIRN_SHARED to point elsewhere). */
export const SHARED = process.env.CAIRN_SHARED ?? resolve(ROOT, '..', 'shared');
export const STATE = process.env.KUBE_LOCAL_STATE ?? join(ROOT, '.kube-local');

let started = false;

/**
 * The control plane tests/kube/run.sh started (or, for a test file run on its own, one
 * started here: built on a machine's first run, see shared/kube/README.md).
 */
export function kubeUp() {
  const up = join(SHARED, 'kube', 'up');
  if (!existsSync(up)) throw new Error(`no Kubernetes control plane to test against: ${up} is missing (set CAIRN_SHARED)`);
  if (!existsSync(join(STATE, 'env')) || !isUp()) {
    execFileSync('bash', [up, STATE], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, KUBE_LOCAL_HELM: '1' } });
    started = true;
  }
  const env = Object.fromEntries(readFileSync(join(STATE, 'env'), 'utf8').split('\n')
    .map((l) => l.match(/^export ([A-Z_]+)=(.*)$/)).filter(Boolean).map((m) => [m[1], m[2].replace(/^['"]|['"]$/g, '')]));
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(join(STATE, 'kubeconfig'));
  return { kc, env, kubeconfig: join(STATE, 'kubeconfig') };
}

/** Whether the API server of the state folder answers (its pid file names a live process). */
function isUp() {
  try {
    const pid = Number(readFileSync(join(STATE, 'run', 'kube-apiserver.pid'), 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops what kubeUp started (a control plane that was already up is left running). */
export function kubeDown() {
  if (started) execFileSync('bash', [join(SHARED, 'kube', 'down'), STATE], { stdio: 'ignore' });
}

/** Polls `read` until `ok(value)`; fails with the last value (and `why()`) after `ms`. */
export async function until(read, ok, what, ms = 60_000, why = async () => '') {
  const deadline = Date.now() + ms;
  let value;
  for (;;) {
    value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${ms / 1000} s; last: ${JSON.stringify(value)?.slice(0, 1500)}\n${await why()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

let nsCounter = 0;
/** A namespace of its own for a test (deleting a namespace really removes its pods). */
export async function freshNamespace(core, prefix) {
  const name = `${prefix}-${process.pid}-${++nsCounter}`.slice(0, 60);
  await core.createNamespace({ body: { metadata: { name } } });
  // the service account controller makes `default` shortly after
  await until(() => core.readNamespacedServiceAccount({ name: 'default', namespace: name }).then(() => true, () => false), Boolean, `service account of ${name}`);
  return name;
}
