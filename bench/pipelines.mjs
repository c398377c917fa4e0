// What a PipelineController adds to its steps' own run time, with the real clearml SDK.
// Usage: node bench/pipelines.mjs [--steps 20] [--pool-frequency 0.05]
// One Python process builds a chain of `steps` trivial function steps (`add_function_step`:
// step k takes step k-1's result and adds k) and runs it with
// `start_locally(run_pipeline_steps_locally=True)`: the controller runs in that process and
// each step in a Python subprocess of its own. Measured: the wall time from before
// `PipelineController(...)` to after `start_locally` returns; each step function's own time
// (time.time() at the start and end of its body, carried along the chain in its result);
// each step task's created / started / completed as the server stored them (the controller
// sends a step's `started` just before it starts the step's subprocess); every API call's
// server time from the server's request log. Checked: the last step's result is
// 1 + 2 + … + steps, the controller and every step task are completed.
// `--pool-frequency` is the controller's `pool_frequency` in minutes (the SDK's default is
// 0.2, i.e. it looks at its running steps every 12 s; the compat tests use 0.05 = 3 s).
// Needs the compat venv (tests/compat/venv.sh prepares it).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, median, pct, startServer } from './events-lib.mjs';

const STEPS = Number(arg('steps', 20));
const POOL_FREQUENCY = Number(arg('pool-frequency', 0.05));
if (!(STEPS >= 1) || !(POOL_FREQUENCY > 0)) throw new Error('--steps must be ≥ 1 and --pool-frequency > 0');
const root = new URL('..', import.meta.url).pathname;
const python = execFileSync('bash', [`${root}tests/compat/venv.sh`], { encoding: 'utf8' }).trim();

// Written to a file, not run with -c: the SDK reads each step function's source.
const PIPE = String.raw`
import json, os, sys, time

def first(i):
    import time
    t0 = time.time()
    out = {"v": int(i), "times": [[t0, 0.0]]}
    out["times"][-1][1] = time.time()
    return out

def step(prev, i):
    import time
    t0 = time.time()
    out = {"v": prev["v"] + int(i), "times": prev["times"] + [[t0, 0.0]]}
    out["times"][-1][1] = time.time()
    return out

from clearml import PipelineController, Task

steps, pool_frequency = int(sys.argv[1]), float(sys.argv[2])
t0 = time.time()
pipe = PipelineController(name="chain", project="bench pipelines", version="1.0.0", pool_frequency=pool_frequency)
pipe.add_function_step(name="step_001", function=first, function_kwargs=dict(i=1), function_return=["r"])
for k in range(2, steps + 1):
    pipe.add_function_step(name="step_%03d" % k, function=step, function_kwargs=dict(prev="$" "{step_%03d.r}" % (k - 1), i=k),
                           function_return=["r"], parents=["step_%03d" % (k - 1)])
pipe.start_locally(run_pipeline_steps_locally=True)
t1 = time.time()
last = [t for t in Task.get_tasks(task_filter={"parent": pipe.id}) if t.name == "step_%03d" % steps]
result = last[0].artifacts["r"].get() if len(last) == 1 else None
print("@@BENCH@@" + json.dumps({"controller": pipe.id, "t0": t0, "t1": t1, "result": result}), flush=True)
`;

/** Runs a Python script to its end; answers its exit status and output (killed after an hour). */
function runPython(script, args, options) {
  return new Promise((resolve) => {
    const child = spawn(python, [script, ...args], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_600_000);
    child.on('error', (error) => { clearTimeout(timer); resolve({ status: null, signal: null, error, stdout, stderr }); });
    child.on('close', (status, signal) => { clearTimeout(timer); resolve({ status, signal, stdout, stderr }); });
  });
}

const work = mkdtempSync(join(tmpdir(), 'cairn-bench-pipelines-'));
const server = await startServer(join(work, 'server-data'));
try {
  const home = join(work, 'home');
  const run = join(work, 'run');
  for (const dir of [home, join(home, 'tmp'), run]) mkdirSync(dir, { recursive: true });
  // as tests/compat/helpers.py make_sdk_env: isolated HOME, empty clearml.conf, no task reuse
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(CLEARML_|TRAINS_|CAIRN_|AWS_)/.test(k))),
    HOME: home, TMPDIR: join(home, 'tmp'), PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1',
    CLEARML_CONFIG_FILE: join(work, 'clearml.conf'), CLEARML_CACHE_DIR: join(work, 'cache'),
    CLEARML_API_HOST: server.api, CLEARML_WEB_HOST: server.web, CLEARML_FILES_HOST: server.files,
    CLEARML_API_ACCESS_KEY: 'BENCHEVENTSKEY', CLEARML_API_SECRET_KEY: 'bench-events-secret', CLEARML_LOG_LEVEL: 'ERROR',
    CLEARML_SUPPRESS_UPDATE_MESSAGE: '1', CLEARML_TASK_NO_REUSE: '1', CLEARML_WORKER_NAME: 'bench-pipelines',
  };
  writeFileSync(env.CLEARML_CONFIG_FILE, '');
  const script = join(run, 'pipe.py');
  writeFileSync(script, PIPE);
  // outside the repository (cwd = a temporary folder), so the SDK's git detection stays quiet
  // not spawnSync: this process must keep reading the server's request log while it runs
  const res = await runPython(script, [String(STEPS), String(POOL_FREQUENCY)], { cwd: run, env });
  const line = (res.stdout ?? '').split('\n').filter((l) => l.startsWith('@@BENCH@@')).pop();
  if (res.status !== 0 || !line) {
    process.stderr.write(`${(res.stdout ?? '').slice(-6000)}\n${(res.stderr ?? '').slice(-6000)}\n`);
    throw new Error(`the pipeline script failed (exit ${res.status}, signal ${res.signal ?? 'none'}${res.error ? `, ${res.error.message}` : ''})`);
  }
  const out = JSON.parse(line.slice('@@BENCH@@'.length));

  const at = (iso) => (iso ? Date.parse(iso) / 1000 : NaN);
  const controller = (await server.call('tasks.get_by_id', { task: out.controller })).data.task;
  const tasks = (await server.call('tasks.get_all', { parent: out.controller, only_fields: ['id', 'name', 'status', 'created', 'started', 'completed'] })).data.tasks;
  tasks.sort((a, b) => a.name.localeCompare(b.name));

  // the checks: the chain's value, one completed task per step, one time pair per step
  const want = (STEPS * (STEPS + 1)) / 2;
  const problems = [];
  if (controller.status !== 'completed') problems.push(`the controller is ${controller.status}`);
  if (out.result?.v !== want) problems.push(`the last step returned ${JSON.stringify(out.result?.v)}, want ${want}`);
  if (out.result?.times?.length !== STEPS) problems.push(`the result carries ${out.result?.times?.length} step times, want ${STEPS}`);
  if (tasks.length !== STEPS) problems.push(`${tasks.length} step tasks, want ${STEPS}`);
  const notDone = tasks.filter((t) => t.status !== 'completed' || !t.started || !t.completed);
  if (notDone.length) problems.push(`step tasks not completed: ${notDone.map((t) => `${t.name} ${t.status}`).join(', ')}`);
  if (problems.length) throw new Error(`pipeline bench check failed: ${problems.join('; ')}`);

  const fnTimes = out.result.times.map(([a, b]) => b - a);
  const steps = tasks.map((t, k) => {
    const [fnStart, fnEnd] = out.result.times[k];
    const created = at(t.created); const started = at(t.started); const completed = at(t.completed);
    // the previous step's end as the controller could see it (the first step: the controller's start)
    const before = k === 0 ? at(controller.started) : at(tasks[k - 1].completed);
    return {
      name: t.name,
      previous_done_to_created_s: created - before, // the controller noticing the end (its poll) and cloning the next step
      created_to_started_s: started - created, // the controller setting the step up (its `started` is sent just before the subprocess starts)
      started_to_function_s: fnStart - started, // the subprocess: Python and clearml start, Task.init, fetching the previous result
      function_s: fnEnd - fnStart,
      function_to_completed_s: completed - fnEnd, // uploading the result artifact, the SDK closing the task at exit
      started_to_completed_s: completed - started,
    };
  });
  const total = out.t1 - out.t0;
  const fnSum = fnTimes.reduce((a, b) => a + b, 0);
  const taskSum = steps.reduce((a, s) => a + s.started_to_completed_s, 0);
  const r3 = (x) => Math.round(x * 1000) / 1000;
  const r6 = (x) => Math.round(x * 1e6) / 1e6;
  const med = (key) => r3(median(steps.map((s) => s[key])));
  console.log(JSON.stringify({
    steps: STEPS,
    pool_frequency_min: POOL_FREQUENCY,
    python_sdk: execFileSync(python, ['-c', 'import clearml; print(clearml.__version__)'], { encoding: 'utf8' }).trim(),
    checks: { last_result: out.result.v, expected: want, step_tasks_completed: tasks.length, controller: controller.status },
    total_s: r3(total),
    steps_function_sum_s: r6(fnSum),
    overhead_s: r3(total - fnSum),
    overhead_per_step_s: r3((total - fnSum) / STEPS),
    steps_task_started_to_completed_sum_s: r3(taskSum),
    controller_created_to_completed_s: r3(at(controller.completed) - at(controller.created)),
    // every API call of the run as the server logged it (--log-requests): its share of the time
    server_calls: {
      count: server.serverMs.length,
      non_200: server.serverMs.filter((c) => c.code !== 200).length,
      ms_sum: Math.round(server.serverMs.reduce((a, c) => a + c.ms, 0)),
      ms_median: median(server.serverMs.map((c) => c.ms)),
      ms_p99: pct(server.serverMs.map((c) => c.ms), 0.99),
      slowest: [...server.serverMs].sort((a, b) => b.ms - a.ms).slice(0, 3).map((c) => `${c.endpoint} ${c.ms} ms`),
    },
    per_step_median_s: {
      previous_done_to_created: med('previous_done_to_created_s'),
      created_to_started: med('created_to_started_s'),
      started_to_function: med('started_to_function_s'),
      function: r6(median(steps.map((s) => s.function_s))),
      function_to_completed: med('function_to_completed_s'),
      started_to_completed: med('started_to_completed_s'),
    },
    per_step: steps.map((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === 'number' ? (k === 'function_s' ? r6(v) : r3(v)) : v]))),
  }, null, 2));
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
