import { ConfigError, deepFreeze, millisecondsVar, parseEnv, urlVar } from '../../shared/config.js';
import { checkBird } from './check.js';

/*
 * The synthetic check's process (the CronJob `bird-contract-check` runs it in bird's image):
 * one call to bird through its Service, one JSON line on stdout, exit 0 when the answer keeps
 * the contract and 1 when it does not, so the Job fails and kube-state-metrics counts it.
 */

const variables = {
  /** bird's base URL as a client reaches it, e.g. `http://bird` (its Service). */
  BIRD_URL: urlVar('http://localhost:4201'),
  /** How long the answer may take; bird answers within its 2 s upstream deadline. */
  CHECK_TIMEOUT_MS: millisecondsVar(5000, 1),
};

let config: { birdUrl: string; timeoutMs: number };
try {
  const vars = parseEnv(variables, process.env);
  config = deepFreeze({ birdUrl: vars.BIRD_URL, timeoutMs: vars.CHECK_TIMEOUT_MS });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`bird-contract-check: ${error.message}\n`);
  process.exit(2);
}

const result = await checkBird(config.birdUrl, config.timeoutMs);
process.stdout.write(
  `${JSON.stringify({ check: 'bird-contract', url: config.birdUrl, ...result })}\n`,
);
process.exitCode = result.ok ? 0 : 1;
