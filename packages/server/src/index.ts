export { startServer, type RunningServer } from './app.js';
export { loadConfig, OPTIONS, ConfigError, type ServerConfig } from './config.js';
export { openSqliteStore } from './store/sqlite/sqlite-store.js';
export { createCredentials } from './services/auth/index.js';
export type { Store } from './store/store.js';
