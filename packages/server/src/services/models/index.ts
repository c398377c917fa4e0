import type { ServiceModule } from '../deps.js';
import { registerModelCrud } from './crud-endpoints.js';
import { registerModelState } from './state-endpoints.js';

export const registerModels: ServiceModule = (registry, deps) => {
  registerModelCrud(registry, deps);
  registerModelState(registry, deps);
};
