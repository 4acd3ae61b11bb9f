import type { ServiceDefinition } from '../shared/service.js';
import { createApp, type BirdDependencies } from './app.js';
import { loadConfig, type BirdConfig } from './config.js';
import { createDependencies } from './dependencies.js';

/** bird, as `server.ts`, the tests and the bench build it. */
export const birdService: ServiceDefinition<BirdConfig, BirdDependencies> = {
  name: 'bird',
  loadConfig,
  createDependencies,
  createApp,
};
