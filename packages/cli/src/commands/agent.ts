import { Daemon, DockerUnavailableError, WorkerIdInUseError, WorkerIdTakenError } from '@cairn/agent';
import { ClientConfigError, loadClientConfig, NotFoundError } from '@cairn/client';
import { parseArgs } from 'node:util';
import { k8sCommand, k8sUsage, runTaskCommand } from './agent-k8s.js';

export const agentUsage = `cairn agent daemon --queue NAME [--queue NAME ...] [options]

Runs a worker that pulls tasks from the queues (first queue first) and executes them
one at a time: clones the task's repository, builds (or reuses) a virtualenv with its
requirements, runs its entry point with the clearml SDK attached to the task, streams
the console to the server, and sets the final status. Connects like the clearml SDK:
CLEARML_API_HOST, CLEARML_API_ACCESS_KEY, CLEARML_API_SECRET_KEY (and the web/files
hosts) from the environment, else from ~/clearml.conf (or CLEARML_CONFIG_FILE).

  --queue NAME              queue to pull from; repeat for more, in priority order
  --gpus 0,1                GPUs for the tasks (CUDA_VISIBLE_DEVICES); worker id <host>:cairn-gpu0,1
  --docker IMAGE            run each task inside "docker run --rm IMAGE" (needs a Docker engine)
  --name WORKER             worker id (default <host>:cairn-<n>, the lowest slot free on this
                            machine and on the server; never one clearml-agent would take)
  --poll-interval SEC       seconds an empty round of polling lasts (default 5)
  --status-interval SEC     seconds between worker status reports (default 30)
  --work-dir DIR            task checkouts and the virtualenv cache (default ~/.cairn/agent)
  --python PATH             interpreter that creates the task virtualenvs (default python3)
  --system-site-packages    let task virtualenvs see the interpreter's own packages
  --foreground              log to stdout (the agent always does; kept for clearml-agent habits)

SIGINT or SIGTERM stops the running task (status stopped, "user abort"), unregisters the
worker and exits.

cairn agent k8s --queue NAME --runner-image IMAGE [options]   one Kubernetes Pod per task
                                                             (cairn agent k8s --help)
`;

function positiveSeconds(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} needs a positive number of seconds, got ${JSON.stringify(value)}`);
  return n;
}

class UsageError extends Error {}

export async function agentCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(sub === 'k8s' || sub === 'run-task' ? k8sUsage : agentUsage);
    return sub === undefined ? 2 : 0;
  }
  if (sub === 'k8s') return k8sCommand(rest);
  if (sub === 'run-task') return runTaskCommand(rest);
  if (sub !== 'daemon') {
    process.stderr.write(`unknown agent command ${sub}\n\n${agentUsage}`);
    return 2;
  }
  let daemon: Daemon | undefined;
  let stopRequested = false;
  // Handlers go in before the worker registers, so a signal never kills an agent that has not unregistered.
  const stop = () => {
    stopRequested = true;
    void daemon?.shutdown();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const { values } = parseArgs({
      args: rest,
      options: {
        queue: { type: 'string', multiple: true },
        gpus: { type: 'string' },
        docker: { type: 'string' },
        name: { type: 'string' },
        'poll-interval': { type: 'string' },
        'status-interval': { type: 'string' },
        'work-dir': { type: 'string' },
        python: { type: 'string' },
        'system-site-packages': { type: 'boolean' },
        foreground: { type: 'boolean' },
      },
    });
    if (!values.queue?.length) throw new UsageError('name at least one queue: --queue NAME');
    if (values.gpus !== undefined && !/^\d+(,\d+)*$/.test(values.gpus)) throw new UsageError(`--gpus takes GPU indices like 0,1, got ${JSON.stringify(values.gpus)}`);
    daemon = await Daemon.start({
      config: loadClientConfig(),
      queues: values.queue,
      gpus: values.gpus,
      docker: values.docker,
      name: values.name,
      pollIntervalSec: positiveSeconds('--poll-interval', values['poll-interval'], 5),
      statusIntervalSec: positiveSeconds('--status-interval', values['status-interval'], 30),
      workDir: values['work-dir'],
      python: values.python,
      systemSitePackages: values['system-site-packages'] ?? false,
    });
  } catch (err) {
    if (err instanceof DockerUnavailableError || err instanceof UsageError || String((err as { code?: string }).code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`cairn agent: ${(err as Error).message}`);
      return 2;
    }
    if (err instanceof ClientConfigError || err instanceof NotFoundError || err instanceof WorkerIdTakenError || err instanceof WorkerIdInUseError) {
      console.error(`cairn agent: ${err.message}`);
      return 1;
    }
    throw err;
  }
  if (stopRequested) void daemon.shutdown();
  await daemon.done;
  return 0;
}
