// What answering Python clients with `Connection: close` costs them (http/forking-clients.ts).
// Usage: node bench/python-calls.mjs [--calls 2000]
// A Python `requests.Session` (the clearml SDK's HTTP client) makes `calls` sequential
// `debug.ping` calls and as many one-event `events.add_batch` calls, twice: with its own
// User-Agent (python-requests/…: each answer closes the connection, so each call connects
// anew) and with another User-Agent (the connection is kept). Needs the compat venv
// (tests/compat/venv.sh prepares it).
import { execFileSync } from 'node:child_process';
import { arg, startServer } from './events-lib.mjs';

const CALLS = Number(arg('calls', 2000));
const root = new URL('..', import.meta.url).pathname;
const python = execFileSync('bash', [`${root}tests/compat/venv.sh`], { encoding: 'utf8' }).trim();

const CLIENT = String.raw`
import json, sys, time, requests
api, token, task, calls, agent = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
s = requests.Session()
s.headers["Authorization"] = "Bearer " + token
if agent != "default":
    s.headers["User-Agent"] = agent
out = {}
def run(name, send):
    lat = []
    t0 = time.perf_counter()
    for i in range(calls):
        t = time.perf_counter()
        r = send(i)
        assert r.status_code == 200 and r.json()["meta"]["result_code"] == 200, r.text
        lat.append((time.perf_counter() - t) * 1000)
    total = time.perf_counter() - t0
    lat.sort()
    out[name] = {"per_s": round(calls / total), "p50": round(lat[len(lat) // 2], 3), "p95": round(lat[int(len(lat) * 0.95)], 3),
                 "closed": r.headers.get("connection") == "close"}
run("debug.ping", lambda i: s.post(api + "/debug.ping", json={}))
line = '{"timestamp": 1795000000000, "type": "training_stats_scalar", "task": "%s", "iter": %d, "metric": "m", "variant": "v", "value": 1.5}'
run("events.add_batch", lambda i: s.post(api + "/events.add_batch", data=line % (task, i), headers={"Content-Type": "application/json-lines"}))
print(json.dumps(out))
`;

const server = await startServer();
try {
  const token = (await (await fetch(`${server.api}/auth.login`, { headers: { authorization: `Basic ${Buffer.from('BENCHEVENTSKEY:bench-events-secret').toString('base64')}` } })).json()).data.token;
  const task = (await server.call('tasks.create', { name: 'python calls bench', type: 'training' })).data.id;
  console.log(`${CALLS} sequential calls per endpoint from python requests ${execFileSync(python, ['-c', 'import requests; print(requests.__version__)'], { encoding: 'utf8' }).trim()}`);
  console.log('| client User-Agent | connection | endpoint | calls/s | p50 ms | p95 ms |');
  console.log('|---|---|---|---|---|---|');
  for (const agent of ['default', 'bench-keepalive/1.0']) {
    const res = JSON.parse(execFileSync(python, ['-c', CLIENT, server.api, token, task, String(CALLS), agent], { encoding: 'utf8' }));
    for (const [endpoint, r] of Object.entries(res)) {
      console.log(`| ${agent === 'default' ? 'python-requests (SDK)' : agent} | ${r.closed ? 'closed after each answer' : 'kept'} | ${endpoint} | ${r.per_s} | ${r.p50} | ${r.p95} |`);
    }
  }
} finally {
  await server.stop();
}
