import { execFileSync } from 'node:child_process';

/**
 * Writes a minimal wheel (module `name` with underscores, `VALUE = version`) into `dir`
 * with Python's zipfile, so that pip tests install from a local folder (`--no-index
 * --find-links dir`) and never reach the network.
 */
export function writeWheel(dir: string, name: string, version: string, requires: string[] = []): void {
  const script = [
    'import json, sys, zipfile',
    'dir, name, version, requires = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])',
    "mod = name.replace('-', '_')",
    "info = f'{mod}-{version}.dist-info'",
    "meta = f'Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n' + ''.join(f'Requires-Dist: {r}\\n' for r in requires)",
    "with zipfile.ZipFile(f'{dir}/{mod}-{version}-py3-none-any.whl', 'w') as z:",
    "    z.writestr(f'{mod}/__init__.py', f'VALUE = {version!r}\\n')",
    "    z.writestr(info + '/METADATA', meta)",
    "    z.writestr(info + '/WHEEL', 'Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n')",
    "    z.writestr(info + '/RECORD', '')",
  ].join('\n');
  execFileSync('python3', ['-c', script, dir, name, version, JSON.stringify(requires)]);
}
