/** A ClearML error envelope (any `meta.result_code` other than 200), as a typed error. */
export class ApiCallError extends Error {
  constructor(
    readonly endpoint: string,
    readonly code: number,
    readonly subcode: number,
    message: string,
    readonly errorData: Record<string, unknown> = {},
  ) {
    super(`${endpoint} failed (${code}/${subcode}): ${message}`);
    this.name = 'ApiCallError';
    this.resultMessage = message;
  }

  /** `meta.result_msg` as the server wrote it. */
  readonly resultMessage: string;

  /** The server does not know the endpoint (older or partial servers). */
  get isInvalidEndpoint(): boolean {
    return this.code === 400 && this.subcode === 1;
  }
}

/** The server could not be reached (or kept answering 502/503/429) within the allowed attempts. */
export class ServerUnreachableError extends Error {
  constructor(
    readonly endpoint: string,
    readonly attempts: number,
    readonly lastReason: string,
  ) {
    super(`${endpoint}: no answer from the server after ${attempts} attempts (${lastReason})`);
    this.name = 'ServerUnreachableError';
  }
}
