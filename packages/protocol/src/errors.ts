/**
 * ClearML error codes and subcodes. The numbers are the ones the ClearML clients
 * and users recognise; the SDK only branches on the HTTP-level code, so the
 * subcode mainly makes messages familiar.
 */
export interface ErrorCode {
  readonly code: number;
  readonly subcode: number;
  readonly message: string;
}

const e = (code: number, subcode: number, message: string): ErrorCode => ({ code, subcode, message });

export const Errors = {
  invalidId: e(400, 10, 'invalid object id'),
  missingRequiredFields: e(400, 11, 'missing required fields'),
  validationError: e(400, 12, 'validation error'),
  fieldsNotAllowedForRole: e(400, 13, 'fields not allowed for role'),
  invalidFields: e(400, 14, 'invalid fields'),
  batchTooLarge: e(400, 15, 'batch too large'),
  emptyBatch: e(400, 17, 'batch is empty'),
  taskStatusChanged: e(400, 121, 'task status changed concurrently'),
  invalidRegex: e(400, 21, 'invalid regular expression'),
  invalidRequestBody: e(400, 30, 'invalid request body'),
  invalidTaskId: e(400, 101, 'invalid task id'),
  taskNotFound: e(400, 101, 'invalid task id'),
  invalidTaskStatus: e(400, 110, 'invalid task status'),
  eventsNotAdded: e(400, 131, 'events not added'),
  invalidModelId: e(400, 201, 'invalid model id'),
  modelNotReady: e(400, 202, 'model is not ready'),
  modelInUse: e(400, 205, 'model is used by tasks'),
  invalidProjectId: e(400, 401, 'invalid project id'),
  projectExists: e(400, 403, 'project name already exists'),
  invalidQueueId: e(400, 701, 'invalid queue id'),
  queueNotEmpty: e(400, 702, 'queue not empty'),
  taskNotQueued: e(400, 703, 'invalid queue id or task not in queue'),
  taskAlreadyQueued: e(400, 706, 'task already queued'),
  noDefaultQueue: e(400, 707, 'no default queue'),
  multipleDefaultQueues: e(400, 708, 'more than one default queue'),
  invalidWorkerId: e(400, 1001, 'invalid worker id'),
  workerRegistered: e(400, 1003, 'worker is already registered'),
  noWorkerStats: e(400, 1005, 'no statistics reported by the workers'),
  invalidScrollId: e(400, 1104, 'invalid scroll id'),
  invalidEndpoint: e(400, 1, 'invalid endpoint'),
  invalidVersion: e(400, 2, 'invalid version'),
  missingCredentials: e(401, 20, 'missing credentials'),
  malformedCredentials: e(401, 21, 'malformed authorization header'),
  invalidCredentials: e(401, 22, 'invalid credentials'),
  invalidToken: e(401, 30, 'invalid token'),
  tokenExpired: e(401, 31, 'token expired'),
  notAllowed: e(403, 10, 'not allowed'),
  requestTimeout: e(408, 0, 'request timeout'),
  payloadTooLarge: e(413, 0, 'request body too large'),
  unsupportedMediaType: e(415, 0, 'unsupported content encoding'),
  tooManyRequests: e(429, 0, 'too many requests'),
  internal: e(500, 0, 'general error'),
  dataStoreFull: e(500, 100, 'storage is full'),
} as const;

export type ErrorName = keyof typeof Errors;
