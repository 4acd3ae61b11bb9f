import {
  deepFreeze,
  DEFAULT_PORTS,
  millisecondsVar,
  parseEnv,
  urlVar,
  type Env,
} from '../../shared/config.js';

/** How long the check waits for bird's answer: bird answers within its 2 s upstream deadline. */
export const DEFAULT_CHECK_TIMEOUT_MS = 5000;

/** The synthetic check's settings, parsed once at start. */
export interface ContractCheckConfig {
  /** bird's base URL as a client reaches it, e.g. `http://bird` (its Service). */
  readonly birdUrl: string;
  readonly timeoutMs: number;
}

const variables = {
  BIRD_URL: urlVar(`http://localhost:${DEFAULT_PORTS.bird}`),
  CHECK_TIMEOUT_MS: millisecondsVar(DEFAULT_CHECK_TIMEOUT_MS, 1),
};

/** Reads the check's configuration from `env`, or throws a `ConfigError` naming the bad variable. */
export function loadContractCheckConfig(env: Env): ContractCheckConfig {
  const vars = parseEnv(variables, env);
  return deepFreeze({ birdUrl: vars.BIRD_URL, timeoutMs: vars.CHECK_TIMEOUT_MS });
}
