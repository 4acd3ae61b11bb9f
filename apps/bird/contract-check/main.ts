import { ConfigError } from '../../shared/config.js';
import { checkBird } from './check.js';
import { loadContractCheckConfig, type ContractCheckConfig } from './config.js';

/*
 * The synthetic check's process (the CronJob `bird-contract-check` runs it in bird's image):
 * one call to bird through its Service, one JSON line on stdout, exit 0 when the answer keeps
 * the contract and 1 when it does not, so the Job fails and kube-state-metrics counts it.
 */

let config: ContractCheckConfig;
try {
  config = loadContractCheckConfig(process.env);
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
