export { Session, type SessionOptions, type CallOptions, type RetryNotice } from './session.js';
export { ApiCallError, ServerUnreachableError } from './errors.js';
export { DEFAULT_RETRY, backoffDelay, sleep, type RetryPolicy } from './backoff.js';
export { addEventBatch, splitLines, MAX_BATCH_BYTES, type BatchResult } from './event-batch.js';
export { loadClientConfig, configFilePath, deriveHost, ClientConfigError, type ClientConfig, type LoadConfigOptions } from './config.js';
export { parseHocon, hoconGet, HoconError, type HoconObject, type HoconValue } from '@cairn/protocol';
export { findQueueId, ensureProjectId, exactNamePattern, NotFoundError } from './lookups.js';
export { readTokenTimes } from './token.js';
