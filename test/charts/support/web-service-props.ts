import type { WebServiceProps } from '../../../charts/constructs/web-service.js';

/**
 * The props every WebService requires, fixed here rather than read from an environment, so that
 * a construct test and its snapshot do not move when `charts/environments.ts` does.
 */
export const REQUIRED_WEB_SERVICE_PROPS = {
  image: { registry: 'ghcr.io/aviary-dev', tag: '0.1.0' },
  replicas: { min: 2, max: 10 },
  partOf: 'aviary',
} as const satisfies Partial<WebServiceProps>;
