export { startServer, type RunningServer } from './app.js';
export { loadConfig, OPTIONS, ConfigError, type ServerConfig } from './config.js';
export { openSqliteStore } from './store/sqlite/sqlite-store.js';
export { checkRole, createCredentials, createUser, otherAdminExists } from './services/auth/accounts.js';
export { rotateSigningKey } from './auth/signing-key.js';
export { ApiError } from './http/api-error.js';
export type { Store } from './store/store.js';
