import { ApiCallError, ClientConfigError, ensureProjectId, findQueueId, loadClientConfig, NotFoundError, Session } from '@cairn/client';
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';

export const taskUsage = `cairn task create --project P --name N (--repo URL|PATH [--branch B] [--commit C] | --script-file FILE)
                  --script ENTRY [--cwd DIR] [--args a=1 b=2] [--requirements FILE] [--queue Q] [--docker IMAGE]

Creates a task to run remotely, like clearml-task, and prints its id. With --repo the
agent clones the repository (a URL, or a local path for agents on this machine) at the
commit, else the branch, and runs ENTRY from DIR inside it. With --script-file the file's
text travels in the task and is written out as ENTRY (default: the file's name).
--args become the task's Args hyper-parameters (argparse arguments the clearml SDK
overrides); --requirements is a pip requirements file (default: the repository's
requirements.txt at run time); --queue enqueues the task; --docker sets its image.
`;

class UsageError extends Error {}

export interface TaskSpec {
  project: string;
  name: string;
  repo?: string;
  branch?: string;
  commit?: string;
  scriptFile?: string;
  script?: string;
  cwd?: string;
  args: string[];
  requirements?: string;
  queue?: string;
  docker?: string;
}

/** Reads the flags; `--args` takes every following word that is not a flag. */
export function parseTaskCreate(argv: string[]): TaskSpec {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      project: { type: 'string' },
      name: { type: 'string' },
      repo: { type: 'string' },
      branch: { type: 'string' },
      commit: { type: 'string' },
      'script-file': { type: 'string' },
      script: { type: 'string' },
      cwd: { type: 'string' },
      args: { type: 'string', multiple: true },
      requirements: { type: 'string' },
      queue: { type: 'string' },
      docker: { type: 'string' },
    },
  });
  if (positionals.length > 0 && !values.args) throw new UsageError(`unexpected argument ${positionals[0]}`);
  if (!values.project) throw new UsageError('--project is required');
  if (!values.name) throw new UsageError('--name is required');
  if (Boolean(values.repo) === Boolean(values['script-file'])) throw new UsageError('give either --repo or --script-file');
  if (values.repo && !values.script) throw new UsageError('--script names the entry point inside the repository');
  if (!values.repo && (values.branch || values.commit)) throw new UsageError('--branch and --commit go with --repo');
  const args = [...(values.args ?? []), ...positionals];
  const bad = args.find((a) => !/^[^=]+=/.test(a));
  if (bad) throw new UsageError(`--args takes name=value pairs, got ${JSON.stringify(bad)}`);
  return {
    project: values.project,
    name: values.name,
    repo: values.repo,
    branch: values.branch,
    commit: values.commit,
    scriptFile: values['script-file'],
    script: values.script,
    cwd: values.cwd,
    args,
    requirements: values.requirements,
    queue: values.queue,
    docker: values.docker,
  };
}

/** The `tasks.create` fields for a spec (files are read here, so errors name the flag). */
export function taskCreateFields(spec: TaskSpec): Record<string, unknown> {
  const readFlagFile = (flag: string, path: string) => {
    if (!existsSync(path)) throw new UsageError(`${flag}: no file ${path}`);
    return readFileSync(path, 'utf8');
  };
  const script: Record<string, unknown> = { working_dir: spec.cwd ?? '.' };
  if (spec.repo) {
    // A local repository is handed to agents as an absolute path they can clone.
    script.repository = existsSync(spec.repo) ? resolve(spec.repo) : spec.repo;
    script.branch = spec.branch ?? '';
    script.version_num = spec.commit ?? '';
    script.entry_point = spec.script;
  } else {
    script.repository = '';
    script.diff = readFlagFile('--script-file', spec.scriptFile!);
    script.entry_point = spec.script ?? basename(spec.scriptFile!);
  }
  if (spec.requirements) script.requirements = { pip: readFlagFile('--requirements', spec.requirements) };
  const fields: Record<string, unknown> = { name: spec.name, type: 'training', script };
  if (spec.args.length > 0) {
    const args: Record<string, { section: string; name: string; value: string }> = {};
    for (const pair of spec.args) {
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      args[name] = { section: 'Args', name, value: pair.slice(eq + 1) };
    }
    fields.hyperparams = { Args: args };
  }
  if (spec.docker) fields.container = { image: spec.docker, arguments: '', setup_shell_script: '' };
  return fields;
}

export async function taskCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(taskUsage);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'create') {
    process.stderr.write(`unknown task command ${sub}\n\n${taskUsage}`);
    return 2;
  }
  try {
    const spec = parseTaskCreate(rest);
    const fields = taskCreateFields(spec);
    const session = new Session(loadClientConfig());
    const project = await ensureProjectId(session, spec.project);
    const queueId = spec.queue ? await findQueueId(session, spec.queue) : undefined;
    const { id } = await session.call<{ id: string }>('tasks.create', { ...fields, project });
    if (queueId) {
      await session.call('tasks.enqueue', { task: id, queue: queueId });
      console.error(`task ${id} queued in ${spec.queue}`);
    }
    console.log(id);
    return 0;
  } catch (err) {
    if (err instanceof UsageError || String((err as { code?: string }).code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`cairn task: ${(err as Error).message}\n\n${taskUsage}`);
      return 2;
    }
    if (err instanceof ClientConfigError || err instanceof NotFoundError || err instanceof ApiCallError) {
      console.error(`cairn task: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
