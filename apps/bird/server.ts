import { runService } from '../shared/run-service.js';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { createDependencies } from './dependencies.js';

await runService({ name: 'bird', loadConfig, createDependencies, createApp });
