import type { ServiceDefinition } from '../shared/service.js';
import { createApp, type BirdImageDependencies } from './app.js';
import { loadConfig, type BirdImageConfig } from './config.js';
import { createDependencies } from './dependencies.js';

/** bird-image, as `server.ts`, the tests and the bench build it. */
export const birdImageService: ServiceDefinition<BirdImageConfig, BirdImageDependencies> = {
  name: 'bird-image',
  loadConfig,
  createDependencies,
  createApp,
};
