# syntax=docker/dockerfile:1
#
# One image per service, from this one file:
#   docker build --target bird       -t aviary-bird .
#   docker build --target bird-image -t aviary-bird-image .
# Stages: build (compiles TypeScript), deps (production dependencies only), runtime (what both
# images share), then one target per service. test/image/dockerfile.test.ts checks this file,
# and `npm run test:containers` builds it with buildah and runs dist/'s pods from it with podman.
#
# The base is pinned to a full version tag, the same in every stage: Dependabot bumps them
# together, and the test checks that they agree.

# The output is plain JavaScript, so TypeScript is compiled once, on the builder's own
# platform, even when the images are built for several.
FROM --platform=$BUILDPLATFORM node:24.21.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The compiler needs no install script; skipping them runs less code from the registry.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
RUN npm run build

# Production dependencies only, resolved on the target platform so that a package shipping
# per-platform builds gets the right one.
FROM node:24.21.0-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24.21.0-bookworm-slim AS runtime
# The services run `node` itself (see CMD), never npm, npx, corepack or yarn: remove them so
# that they ship no code, and no vulnerability reports, into production.
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx \
      /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*
# Nothing in the code or its dependencies switches on it; set for tools that look at it.
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the service: its only writable place is /tmp (an emptyDir in
# the manifests, whose root filesystem is read-only).
COPY --from=deps /app/node_modules ./node_modules
# "type": "module": the compiled files are ES modules.
COPY package.json ./
COPY --from=build /app/build/apps/shared ./build/apps/shared
# Numeric, so that Kubernetes' runAsNonRoot can verify it; the manifests run as 10001:10001.
USER 10001:10001
# The base image's entrypoint is a shell script that hands its arguments to node; without it
# CMD alone is the process.
ENTRYPOINT []

# Node is PID 1 and handles SIGTERM itself (graceful shutdown); it starts no child process,
# so no init is needed to reap zombies. Kubernetes ignores HEALTHCHECK: the probes are in the
# manifests.
FROM runtime AS bird-image
COPY --from=build /app/build/apps/bird-image ./build/apps/bird-image
EXPOSE 4200
CMD ["node", "build/apps/bird-image/server.js"]

# The last stage, so also what a plain `docker build .` produces.
FROM runtime AS bird
COPY --from=build /app/build/apps/bird ./build/apps/bird
EXPOSE 4201
CMD ["node", "build/apps/bird/server.js"]
