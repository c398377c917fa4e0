import type { ServiceModule } from '../deps.js';
import { registerTaskContent } from './content-endpoints.js';
import { registerTaskCrud } from './crud-endpoints.js';
import { registerTaskStatus } from './status-endpoints.js';

export const registerTasks: ServiceModule = (registry, deps) => {
  registerTaskCrud(registry, deps);
  registerTaskStatus(registry, deps);
  registerTaskContent(registry, deps);
};
