import { runService } from '../shared/run-service.js';
import { birdImageService } from './service.js';

await runService(birdImageService);
