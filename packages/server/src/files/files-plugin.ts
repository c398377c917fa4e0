import type { FastifyPluginAsync } from 'fastify';
import type { Authenticator } from '../auth/authenticator.js';

export interface FilesPluginOptions {
  root: string;
  maxUploadBytes: number;
  auth: Authenticator;
  log: (line: string) => void;
}

export const filesPlugin: FastifyPluginAsync<FilesPluginOptions> = async () => {};
