import type { ClientConfig } from '@cairn/client';
import { delimiter } from 'node:path';

export interface TaskEnvInput {
  base: NodeJS.ProcessEnv;
  config: ClientConfig;
  taskId: string;
  workerId: string;
  /** `--gpus` as given (`0,1`), or undefined for no GPU selection. */
  gpus?: string;
  /** Folders put first on PYTHONPATH (the working directory and the code root). */
  pythonPath: string[];
  /**
   * The agent's own clearml.conf, when it has one: the task's SDK reads its `sdk` section
   * (S3 credentials, `default_output_uri`) as a clearml-agent task reads its agent's.
   */
  configFile?: string;
}

/** Inherited variables that would tie the task to another task or process, or to another configuration than the agent's. */
const DROPPED = /^(CLEARML|TRAINS)_(TASK_ID|PROC_MASTER_ID|CONFIG_FILE|LOG_TASK_TO_BACKEND|WORKER_ID|AUTH_TOKEN)$/;

/**
 * The environment the task process gets. `CLEARML_TASK_ID` is what switches the clearml
 * SDK into remote mode (`running_remotely()`): `Task.init` then attaches to this task
 * instead of creating one. Console capture stays with the agent
 * (`CLEARML_LOG_TASK_TO_BACKEND=0`), and the API address, credentials and configuration
 * file are the agent's.
 */
export function taskEnvironment(input: TaskEnvInput): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(input.base)) if (!DROPPED.test(k)) env[k] = v;
  const { config } = input;
  Object.assign(env, {
    CLEARML_TASK_ID: input.taskId,
    TRAINS_TASK_ID: input.taskId,
    CLEARML_WORKER_ID: input.workerId,
    CLEARML_LOG_TASK_TO_BACKEND: '0',
    TRAINS_LOG_TASK_TO_BACKEND: '0',
    CLEARML_API_HOST: config.apiHost,
    CLEARML_WEB_HOST: config.webHost,
    CLEARML_FILES_HOST: config.filesHost,
    CLEARML_API_ACCESS_KEY: config.accessKey,
    CLEARML_API_SECRET_KEY: config.secretKey,
    PYTHONUNBUFFERED: '1',
    PYTHONPATH: [...input.pythonPath, ...(input.base.PYTHONPATH ? [input.base.PYTHONPATH] : [])].join(delimiter),
  });
  if (input.configFile !== undefined) env.CLEARML_CONFIG_FILE = input.configFile;
  if (input.gpus !== undefined) {
    env.CUDA_DEVICE_ORDER = 'PCI_BUS_ID';
    env.CUDA_VISIBLE_DEVICES = input.gpus;
    env.NVIDIA_VISIBLE_DEVICES = input.gpus;
  }
  return env;
}
