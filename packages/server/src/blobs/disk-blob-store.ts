import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readFailure, writeFailure } from '../files/errors.js';
import { confineRealPath, resolveUnder, TMP_DIR_NAME } from '../files/paths.js';
import type { BlobInfo, BlobRead, BlobStore, RangeChooser, StagedBlob } from './blob-store.js';

/** Temp files untouched this long belong to no live upload (an active one writes steadily). */
const STALE_TEMP_MS = 60 * 60 * 1000;

/**
 * The file server's folder (`<data>/files`). Every object lives at `<root>/<path>`
 * exactly as the SDK names it, so the folder can be browsed, backed up or served by
 * anything else. Uploads are written under `<root>/.cairn-tmp/` and renamed onto their
 * path only on commit; leftovers of a crash are swept at start-up. Links inside the
 * root are not followed out of it.
 */
export class DiskBlobStore implements BlobStore {
  readonly location: string;
  private readonly tmpDir: string;

  private constructor(private readonly root: string) {
    this.location = root;
    this.tmpDir = join(root, TMP_DIR_NAME);
  }

  /** Opens the folder (made if missing) and sweeps what a crash left in its temp folder. */
  static async open(root: string): Promise<DiskBlobStore> {
    const store = DiskBlobStore.create(root);
    await store.sweepStaleTemps();
    return store;
  }

  /** Opens the folder without the sweep: for a store made in one step (service tests). */
  static create(root: string): DiskBlobStore {
    const store = new DiskBlobStore(resolve(root));
    mkdirSync(store.tmpDir, { recursive: true });
    return store;
  }

  private async sweepStaleTemps(): Promise<void> {
    const now = Date.now();
    for (const name of await readdir(this.tmpDir)) {
      const file = join(this.tmpDir, name);
      const st = await stat(file).catch(() => null);
      if (st && now - st.mtimeMs > STALE_TEMP_MS) await rm(file, { force: true, recursive: true });
    }
  }

  async stage(segments: string[], source: Readable): Promise<StagedBlob> {
    const name = segments.join('/');
    const target = resolveUnder(this.root, segments);
    const tmp = join(this.tmpDir, randomBytes(16).toString('hex'));
    try {
      await pipeline(source, createWriteStream(tmp, { flags: 'wx' }));
    } catch (err) {
      await rm(tmp, { force: true });
      throw writeFailure(err, name);
    }
    return {
      commit: async () => {
        try {
          await confineRealPath(this.root, target);
          await mkdir(dirname(target), { recursive: true });
          await rename(tmp, target);
        } catch (err) {
          await rm(tmp, { force: true });
          throw writeFailure(err, name);
        }
      },
      discard: () => rm(tmp, { force: true }),
    };
  }

  async stat(segments: string[]): Promise<BlobInfo | null> {
    const full = resolveUnder(this.root, segments);
    try {
      await confineRealPath(this.root, full);
      const st = await stat(full);
      return st.isFile() ? { size: st.size, modified: st.mtime } : null;
    } catch (err) {
      if (readFailure(err, segments.join('/')).status === 404) return null;
      throw readFailure(err, segments.join('/'));
    }
  }

  /**
   * The file is opened once and the stream reads from that handle, so a concurrent
   * overwrite or delete cannot make the body disagree with the size chosen from.
   */
  async read(segments: string[], choose?: RangeChooser): Promise<BlobRead | null> {
    const name = segments.join('/');
    const full = resolveUnder(this.root, segments);
    let handle: FileHandle;
    try {
      await confineRealPath(this.root, full);
      handle = await open(full, 'r');
    } catch (err) {
      if (readFailure(err, name).status === 404) return null;
      throw readFailure(err, name);
    }
    try {
      const st = await handle.stat();
      if (!st.isFile()) {
        await handle.close();
        return null;
      }
      const { start, end } = choose ? choose(st.size) : { start: 0, end: st.size - 1 };
      if (end < start) {
        await handle.close();
        return { info: { size: st.size, modified: st.mtime }, start, end, body: Readable.from([]) };
      }
      return { info: { size: st.size, modified: st.mtime }, start, end, body: handle.createReadStream({ start, end }) };
    } catch (err) {
      await handle.close();
      throw readFailure(err, name);
    }
  }

  async delete(segments: string[]): Promise<boolean> {
    const full = resolveUnder(this.root, segments);
    try {
      await confineRealPath(this.root, join(full, '..'));
      await unlink(full);
      return true;
    } catch (err) {
      const failure = readFailure(err, segments.join('/'));
      if (failure.status === 404) return false;
      throw failure;
    }
  }

  async check(): Promise<void> {}

  async close(): Promise<void> {}
}
