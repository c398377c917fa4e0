import type { FileOwner, NewStorageDeletion, Store } from '../../store/store.js';
import { optBool } from '../validate.js';

/** ClearML's `urls` answer of the delete and reset calls. */
export interface FileUrls {
  artifact_urls: string[];
  model_urls: string[];
  event_urls: string[];
}

export type FileKind = 'artifact' | 'model' | 'event';

/** The storage fields of tasks.delete/reset(_many), models.delete(_many) and projects.delete, with ClearML's defaults. */
export interface CleanupRequest {
  /** answer `urls` */
  returnFileUrls: boolean;
  /** delete the task's draft output models that no other task loads */
  deleteOutputModels: boolean;
  /** queue the files for deletion by the server */
  deleteExternalArtifacts: boolean;
}

export function readCleanupRequest(body: Record<string, unknown>): CleanupRequest {
  return {
    returnFileUrls: optBool(body, 'return_file_urls') ?? false,
    deleteOutputModels: optBool(body, 'delete_output_models') ?? true,
    deleteExternalArtifacts: optBool(body, 'delete_external_artifacts') ?? true,
  };
}

/**
 * The stored files that deleting tasks and models leaves behind, by kind (for the
 * answer) and with the task or model each belonged to (for the deletion queue).
 */
export class Leftovers {
  private readonly byKind: Record<FileKind, Set<string>> = { artifact: new Set(), model: new Set(), event: new Set() };
  private readonly owners = new Map<string, FileOwner>();

  add(kind: FileKind, urls: Iterable<unknown>, owner: FileOwner): void {
    for (const url of urls) {
      if (typeof url !== 'string' || url.trim() === '') continue;
      this.byKind[kind].add(url);
      if (!this.owners.has(url)) this.owners.set(url, owner);
    }
  }

  urls(): FileUrls {
    return { artifact_urls: [...this.byKind.artifact], model_urls: [...this.byKind.model], event_urls: [...this.byKind.event] };
  }

  /**
   * Queues the files for the background deletion unless the caller keeps them, and
   * answers `urls` when asked for. Called once the rows that named the files are gone,
   * so that the deletion's check for remaining users does not find them.
   */
  async settle(store: Store, req: CleanupRequest): Promise<{ urls?: FileUrls }> {
    if (req.deleteExternalArtifacts && this.owners.size > 0) {
      const items: NewStorageDeletion[] = [...this.owners].map(([url, owner]) => ({ url, ...owner }));
      await store.storageDeletions.add(items, Date.now());
    }
    return req.returnFileUrls ? { urls: this.urls() } : {};
  }
}
