import { ApiError } from '../http/api-error.js';

/** A failure with the HTTP status the file server answers it with. */
export class FileServerError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const NOT_FOUND = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);
const IN_THE_WAY = new Set(['EEXIST', 'ENOTDIR', 'EISDIR', 'ENOTEMPTY']);

/** Maps a failed read or delete of `what` to the status a client can act on. */
export function readFailure(err: unknown, what: string): FileServerError {
  if (err instanceof FileServerError) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code && NOT_FOUND.has(code)) return new FileServerError(404, `no such file: ${what}`);
  return new FileServerError(500, `cannot read ${what}: ${(err as Error)?.message ?? String(err)}`);
}

/** Maps a failed write of `what`; a full disk gets its own status so that operators see it at once. */
export function writeFailure(err: unknown, what: string): FileServerError {
  if (err instanceof FileServerError) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new FileServerError(507, `the file server is out of disk space; ${what} was not stored`);
  }
  if (code && IN_THE_WAY.has(code)) {
    return new FileServerError(409, `cannot store ${what}: a file or folder of that name is in the way`);
  }
  return new FileServerError(500, `cannot store ${what}: ${(err as Error)?.message ?? String(err)}`);
}

/** Any thrown value → the status and message of the JSON error body. */
export function asFileServerError(err: unknown): FileServerError {
  if (err instanceof FileServerError) return err;
  if (err instanceof ApiError) return new FileServerError(err.error.code, err.message);
  return new FileServerError(500, `internal error: ${(err as Error)?.message ?? String(err)}`);
}
