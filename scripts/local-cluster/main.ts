import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectedEnvironment } from '../../charts/environments.js';
import { bringUpLocalCluster, LOCAL_ENVIRONMENT } from './local-cluster.js';
import { processRunner } from './runner.js';

// `npm run local-cluster`: only wires the real process to bringUpLocalCluster.

const root = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(path.join(tmpdir(), 'aviary-local-cluster-'));
let status: number;
try {
  status = bringUpLocalCluster({
    env: process.env,
    root,
    environment: selectedEnvironment({ AVIARY_ENV: LOCAL_ENVIRONMENT }),
    runner: processRunner(root),
    scratch,
    say: (line) => process.stdout.write(`${line}\n`),
    complain: (line) => process.stderr.write(`${line}\n`),
  });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exitCode = status;
