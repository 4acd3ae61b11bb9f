import { runService } from '../shared/run-service.js';
import { birdService } from './service.js';

await runService(birdService);
