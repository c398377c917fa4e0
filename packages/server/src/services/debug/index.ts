import { API_VERSION, SERVER_VERSION } from '@cairn/protocol';
import type { ServiceModule } from '../deps.js';

export const registerDebug: ServiceModule = (registry) => {
  registry.add({ name: 'debug.ping', auth: 'none', handler: () => ({ msg: 'Cairn server' }) });
  registry.add({
    name: 'server.info',
    handler: () => ({ version: SERVER_VERSION, api_version: API_VERSION, build: 'cairn', commit: '', uid: 'cairn' }),
  });
  registry.add({ name: 'server.get_endpoints', handler: () => ({ endpoints: registry.names() }) });
};
