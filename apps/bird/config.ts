import {
  commonConfig,
  commonVariables,
  deepFreeze,
  DEFAULT_PORTS,
  optionalUrlVar,
  parseEnv,
  urlVar,
  type CommonConfig,
  type Env,
} from '../shared/config.js';

/** bird's settings, parsed once at start. */
export interface BirdConfig extends CommonConfig {
  /** birdImage's base URL, without a trailing slash. */
  readonly birdImageUrl: string;
  /** The remote birds collection; `undefined` means the embedded catalog. */
  readonly birdFactsUrl: string | undefined;
}

const variables = {
  ...commonVariables(DEFAULT_PORTS.bird),
  // Where birdImage listens when both run on one machine, as `npm start` runs them.
  BIRD_IMAGE_URL: urlVar(`http://localhost:${DEFAULT_PORTS.birdImage}`),
  BIRD_FACTS_URL: optionalUrlVar(),
};

/** Reads bird's configuration from `env`, or throws a `ConfigError` naming the bad variable. */
export function loadConfig(env: Env = process.env): BirdConfig {
  const vars = parseEnv(variables, env);
  return deepFreeze({
    ...commonConfig(vars),
    birdImageUrl: vars.BIRD_IMAGE_URL,
    birdFactsUrl: vars.BIRD_FACTS_URL,
  });
}
