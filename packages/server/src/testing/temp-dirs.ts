import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let root: string | null = null;

/**
 * A fresh folder for one test's files, inside one folder per test process that is removed
 * when the process exits. Many tests hand a folder to a store or server and never get to
 * clean it up themselves (a start-up that is meant to fail, a service test's file store),
 * and without this every test run left hundreds of folders in the system's temp folder.
 */
export function testTempDir(prefix: string): string {
  if (root === null) {
    root = mkdtempSync(join(tmpdir(), `cairn-tests-${process.pid}-`));
    const made = root;
    process.on('exit', () => rmSync(made, { recursive: true, force: true }));
  }
  mkdirSync(root, { recursive: true });
  return mkdtempSync(join(root, prefix));
}
