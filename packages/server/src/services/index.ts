import type { EndpointRegistry } from '../http/endpoints.js';
import { registerAuth } from './auth/index.js';
import { registerDebug } from './debug/index.js';
import type { ServiceDeps, ServiceModule } from './deps.js';
import { registerEvents } from './events/index.js';
import { registerFiles } from './files/index.js';
import { registerModels } from './models/index.js';
import { registerProjects } from './projects/index.js';
import { registerQueues } from './queues/index.js';
import { registerTasks } from './tasks/index.js';
import { registerWorkers } from './workers/index.js';

/** Every ClearML service Cairn implements; an endpoint not registered here answers "invalid endpoint". */
const SERVICES: readonly ServiceModule[] = [
  registerAuth, registerDebug, registerProjects, registerTasks, registerEvents, registerModels, registerQueues, registerWorkers, registerFiles,
];

export function registerServices(registry: EndpointRegistry, deps: ServiceDeps): void {
  for (const register of SERVICES) register(registry, deps);
}
