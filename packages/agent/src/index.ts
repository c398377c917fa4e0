export { Daemon, WorkerIdInUseError, type DaemonOptions } from './daemon.js';
export { DockerUnavailableError } from './docker.js';
export { WorkerIdTakenError } from './worker-slot.js';
export * from './k8s/index.js';
