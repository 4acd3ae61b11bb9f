import { readFileSync } from 'node:fs';
import {
  ConfigError,
  commonConfig,
  commonVariables,
  deepFreeze,
  DEFAULT_PORTS,
  hostListVar,
  optionalSecretVar,
  optionalStringVar,
  parseEnv,
  SECRET_RULE,
  urlVar,
  wholeNumberVar,
  type CommonConfig,
  type Env,
} from '../shared/config.js';
import { UNSPLASH_IMAGE_HOSTS } from './upstreams/unsplash/image-url-policy.js';

/** birdImage's settings, parsed once at start. */
export interface BirdImageConfig extends CommonConfig {
  /** Unsplash API base URL, without a trailing slash. */
  readonly unsplashApiUrl: string;
  /** The Unsplash access key; `undefined` means no remote calls, only the default image. */
  readonly unsplashAccessKey: string | undefined;
  /** Why there is no key, when there is none; logged at start. */
  readonly unsplashKeyAbsence: string | undefined;
  /** Hosts a photo URL from Unsplash may point at; others are refused. */
  readonly unsplashImageHosts: readonly string[];
  /** Unsplash searches (cache misses) allowed per hour, and in one burst. */
  readonly unsplashSearchesPerHour: number;
}

/** Unsplash's API, unless `UNSPLASH_API_URL` points elsewhere (a stand-in, a proxy). */
export const DEFAULT_UNSPLASH_API_URL = 'https://api.unsplash.com';

const variables = {
  ...commonVariables(DEFAULT_PORTS.birdImage),
  UNSPLASH_API_URL: urlVar(DEFAULT_UNSPLASH_API_URL),
  UNSPLASH_ACCESS_KEY: optionalSecretVar(),
  UNSPLASH_ACCESS_KEY_FILE: optionalStringVar(),
  UNSPLASH_IMAGE_HOSTS: hostListVar(UNSPLASH_IMAGE_HOSTS),
  // Unsplash's demo tier: 50 an hour. A production key allows 5,000; raise it with the key.
  UNSPLASH_SEARCHES_PER_HOUR: wholeNumberVar(50, 1, 1_000_000),
};

/**
 * Reads birdImage's configuration from `env`, or throws a {@link ConfigError} naming the bad
 * variable. The key comes from `UNSPLASH_ACCESS_KEY` or from the file `UNSPLASH_ACCESS_KEY_FILE`
 * names (a mounted Secret); a missing file means no key, since the Secret is optional.
 */
export function loadConfig(env: Env = process.env): BirdImageConfig {
  const vars = parseEnv(variables, env, ['UNSPLASH_ACCESS_KEY']);
  if (vars.UNSPLASH_ACCESS_KEY !== undefined && vars.UNSPLASH_ACCESS_KEY_FILE !== undefined) {
    throw new ConfigError(
      'invalid configuration: set UNSPLASH_ACCESS_KEY or UNSPLASH_ACCESS_KEY_FILE, not both',
    );
  }
  const key = vars.UNSPLASH_ACCESS_KEY_FILE
    ? readKeyFile(vars.UNSPLASH_ACCESS_KEY_FILE)
    : { key: vars.UNSPLASH_ACCESS_KEY, absence: 'UNSPLASH_ACCESS_KEY is not set' };
  return deepFreeze({
    ...commonConfig(vars),
    unsplashApiUrl: vars.UNSPLASH_API_URL,
    unsplashAccessKey: key.key,
    unsplashKeyAbsence: key.key === undefined ? key.absence : undefined,
    unsplashImageHosts: vars.UNSPLASH_IMAGE_HOSTS,
    unsplashSearchesPerHour: vars.UNSPLASH_SEARCHES_PER_HOUR,
  });
}

function readKeyFile(path: string): { key: string | undefined; absence: string } {
  let contents: string;
  try {
    contents = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { key: undefined, absence: `${path} does not exist` };
    throw new ConfigError(
      `invalid configuration: UNSPLASH_ACCESS_KEY_FILE=${JSON.stringify(path)} cannot be read (${code ?? 'error'})`,
    );
  }
  // Secrets written by `echo` or an editor end with a newline that is not part of the key.
  const key = contents.replace(/\r?\n$/, '');
  if (key === '') return { key: undefined, absence: `${path} is empty` };
  // The variable's rule: a second line or a space would fail every call, not the start.
  if (!SECRET_RULE.holds(key)) {
    throw new ConfigError(
      `invalid configuration: the key in UNSPLASH_ACCESS_KEY_FILE=${JSON.stringify(path)} ${SECRET_RULE.must} (one line; a final newline is ignored)`,
    );
  }
  return { key, absence: `${path} is empty` };
}
