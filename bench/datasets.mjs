// A dataset's round trip through Cairn's file server with the real clearml SDK.
// Usage: node bench/datasets.mjs [--files 10000] [--size 102400]
// Makes `files` files of `size` random bytes (incompressible: the chunks are as big as
// the data), then, each in its own Python process: Dataset.create + add_files + upload +
// finalize; get_local_copy with an empty cache (download and unzip every chunk); and
// get_local_copy again (the cached copy). Each copy is checked: file count and bytes.
// Needs the compat venv (tests/compat/venv.sh prepares it).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, startServer } from './events-lib.mjs';

const FILES = Number(arg('files', 10_000));
const SIZE = Number(arg('size', 100 * 1024));
const root = new URL('..', import.meta.url).pathname;
const python = execFileSync('bash', [`${root}tests/compat/venv.sh`], { encoding: 'utf8' }).trim();

const MAKE = String.raw`
import os, sys
folder, files, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(files):
    sub = os.path.join(folder, "part%03d" % (i // 1000))
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, "f%05d.bin" % i), "wb") as f:
        f.write(os.urandom(size))
`;

const WRITE = String.raw`
import json, sys, time
from clearml import Dataset
t0 = time.perf_counter()
d = Dataset.create(dataset_project="bench datasets", dataset_name="big")
d.add_files(sys.argv[1])
d.upload()
d.finalize()
print(json.dumps({"id": d.id, "s": time.perf_counter() - t0}))
`;

const READ = String.raw`
import json, os, sys, time
from clearml import Dataset
t0 = time.perf_counter()
path = Dataset.get(dataset_id=sys.argv[1]).get_local_copy()
s = time.perf_counter() - t0
n = total = 0
for dirpath, _, names in os.walk(path):
    for name in names:
        n += 1
        total += os.path.getsize(os.path.join(dirpath, name))
print(json.dumps({"s": s, "files": n, "bytes": total}))
`;

const work = mkdtempSync(join(tmpdir(), 'cairn-bench-datasets-'));
const server = await startServer(join(work, 'server-data'));
try {
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CLEARML_') && !k.startsWith('CAIRN_'))),
    HOME: join(work, 'home'), CLEARML_CONFIG_FILE: join(work, 'clearml.conf'), CLEARML_CACHE_DIR: join(work, 'cache'),
    CLEARML_API_HOST: server.api, CLEARML_WEB_HOST: server.web, CLEARML_FILES_HOST: server.files,
    CLEARML_API_ACCESS_KEY: 'BENCHEVENTSKEY', CLEARML_API_SECRET_KEY: 'bench-events-secret', CLEARML_LOG_LEVEL: 'ERROR',
  };
  writeFileSync(env.CLEARML_CONFIG_FILE, '');
  const data = join(work, 'data');
  execFileSync(python, ['-c', MAKE, data, String(FILES), String(SIZE)]);
  const py = (script, ...args) => JSON.parse(execFileSync(python, ['-c', script, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 26 }).trim().split('\n').pop());
  const written = py(WRITE, data);
  const first = py(READ, written.id);
  const cached = py(READ, written.id);
  const mb = (FILES * SIZE) / 1e6;
  for (const r of [first, cached]) {
    if (r.files !== FILES || r.bytes !== FILES * SIZE) throw new Error(`the copy has ${r.files} files and ${r.bytes} bytes`);
  }
  console.log(`${FILES} files × ${SIZE} B = ${mb.toFixed(0)} MB, python SDK, server and client on this machine`);
  console.log('| step | seconds | MB/s |');
  console.log('|---|---|---|');
  console.log(`| create + add_files + upload + finalize | ${written.s.toFixed(1)} | ${(mb / written.s).toFixed(0)} |`);
  console.log(`| get_local_copy, empty cache | ${first.s.toFixed(1)} | ${(mb / first.s).toFixed(0)} |`);
  console.log(`| get_local_copy, cached | ${cached.s.toFixed(2)} | — |`);
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
