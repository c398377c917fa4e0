import type { V1Container, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

/**
 * What a task pod's status means for its task, read the way a user would want it told:
 * the scheduler's own words while it cannot be placed, the image and the reason when it
 * cannot be pulled, the memory limit when it was killed for memory.
 */
export type PodVerdict =
  | { kind: 'waiting'; message: string }
  | { kind: 'unschedulable'; message: string }
  | { kind: 'running' }
  | { kind: 'image-pull'; image: string; reason: string; message: string }
  | { kind: 'crash-loop'; message: string }
  | { kind: 'oom-killed'; limit: string }
  | { kind: 'evicted'; message: string }
  | { kind: 'failed'; exitCode: number; reason: string; message: string }
  | { kind: 'succeeded' }
  | { kind: 'gone' };

const IMAGE_PULL = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
const CONFIG_ERRORS = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

/** The task's container: the one named in the spec as the main one, else the first. */
export function mainContainer(pod: V1Pod): { spec?: V1Container; status?: V1ContainerStatus } {
  const spec = pod.spec?.containers?.[0];
  const status = pod.status?.containerStatuses?.find((s) => s.name === spec?.name) ?? pod.status?.containerStatuses?.[0];
  return { spec, status };
}

function memoryLimit(pod: V1Pod): string {
  return mainContainer(pod).spec?.resources?.limits?.memory ?? 'none set';
}

export function podVerdict(pod: V1Pod): PodVerdict {
  const phase = pod.status?.phase;
  const { spec, status } = mainContainer(pod);
  const waiting = status?.state?.waiting;
  const terminated = status?.state?.terminated ?? (phase === 'Failed' ? status?.lastState?.terminated : undefined);
  if (pod.status?.reason === 'Evicted') return { kind: 'evicted', message: pod.status.message ?? 'the node evicted the pod' };
  if (waiting?.reason && IMAGE_PULL.has(waiting.reason)) {
    return { kind: 'image-pull', image: spec?.image ?? status?.image ?? '?', reason: waiting.reason, message: waiting.message ?? '' };
  }
  // The init container that brings the runner can fail to pull too.
  for (const init of pod.status?.initContainerStatuses ?? []) {
    const w = init.state?.waiting;
    if (w?.reason && IMAGE_PULL.has(w.reason)) return { kind: 'image-pull', image: init.image, reason: w.reason, message: w.message ?? '' };
  }
  if (waiting?.reason === 'CrashLoopBackOff') {
    const last = status?.lastState?.terminated;
    return { kind: 'crash-loop', message: `${waiting.message ?? 'the container keeps exiting'}${last ? ` (last exit code ${last.exitCode}${last.reason ? `, ${last.reason}` : ''})` : ''}` };
  }
  if (waiting?.reason && CONFIG_ERRORS.has(waiting.reason)) {
    return { kind: 'failed', exitCode: -1, reason: waiting.reason, message: waiting.message ?? '' };
  }
  if (terminated?.reason === 'OOMKilled') return { kind: 'oom-killed', limit: memoryLimit(pod) };
  if (phase === 'Succeeded') return { kind: 'succeeded' };
  if (phase === 'Failed') {
    return { kind: 'failed', exitCode: terminated?.exitCode ?? -1, reason: terminated?.reason ?? pod.status?.reason ?? 'Failed', message: terminated?.message ?? pod.status?.message ?? '' };
  }
  if (phase === 'Running') return { kind: 'running' };
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') return { kind: 'unschedulable', message: scheduled.message ?? 'no node fits the pod' };
  return { kind: 'waiting', message: waiting?.reason ? `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` : 'waiting for the pod to start' };
}

/** Verdicts after which the pod will not run the task (any more). */
export const isFinal = (v: PodVerdict) => !['waiting', 'unschedulable', 'running'].includes(v.kind);

/** The sentence the task's user reads (status message and console). */
export function describeVerdict(v: PodVerdict): string {
  switch (v.kind) {
    case 'waiting':
      return `Pending: ${v.message}`;
    case 'unschedulable':
      return `Pending: ${v.message}`;
    case 'running':
      return 'the pod is running';
    case 'image-pull':
      return `image ${v.image} cannot be pulled: ${v.reason}${v.message ? ` (${v.message})` : ''}`;
    case 'crash-loop':
      return `the pod crashes again and again: CrashLoopBackOff: ${v.message}`;
    case 'oom-killed':
      return `out of memory, limit ${v.limit}: the pod was OOMKilled`;
    case 'evicted':
      return `the pod was evicted: ${v.message}`;
    case 'failed':
      return `the pod failed: ${v.reason}${v.exitCode >= 0 ? `, exit code ${v.exitCode}` : ''}${v.message ? ` (${v.message})` : ''}`;
    case 'succeeded':
      return 'the pod completed';
    case 'gone':
      return 'the pod was deleted';
  }
}
