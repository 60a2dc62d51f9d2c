# syntax=docker/dockerfile:1
#
# One image for every service and for the migration tool; each runs with its own command, as
# docker-compose.yml and k8s/base do:
#   node -r @swc-node/register apps/<app>/src/main.ts
#   node -r @swc-node/register tools/migrate.ts
# The services run their TypeScript through @swc-node/register (a runtime dependency, with the
# `typescript` it needs to read tsconfig.json), so there is no compile step: the build installs
# the production dependencies from the lockfile and copies the sources. The one thing built is
# the Explorer (static files, apps/explorer/dist), which the gateway serves at /explorer/.
#
#   docker build -t open-digital-twins:0.1.0 .

ARG NODE_VERSION=20.20.2

# The workspace manifests alone (apps/*/package.json, libs/*/package.json): `npm ci` needs them to
# link the workspaces, and the dependency layer below is then rebuilt only when one of them changes.
FROM node:${NODE_VERSION}-bookworm-slim AS manifests
WORKDIR /src
COPY apps ./apps
COPY libs ./libs
RUN find apps libs -mindepth 2 -maxdepth 2 ! -name package.json -exec rm -rf {} +

# Production dependencies only, exactly as locked. No install scripts: the one native module
# (@swc/core) comes as a prebuilt optional package. It is packed and would unpack itself into a
# writable, non-shared directory on first load, which a read-only container lacks: unpack it now
# (tools/docker/unpack-swc-addon.js). The last line checks that the runtime needs are all there.
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY --from=manifests /src/ ./
COPY tools/docker/unpack-swc-addon.js ./tools/docker/
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && node tools/docker/unpack-swc-addon.js \
 && node -e "require('@swc/core'); require('@swc-node/register/read-default-tsconfig')"

# The Explorer, built with its own (development) dependencies only: Vite, React, sigma.js. It reads
# libs/client and libs/contracts by their sources (vite.config.mts aliases them). Only dist/ leaves
# this stage.
FROM node:${NODE_VERSION}-bookworm-slim AS explorer
WORKDIR /src
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY --from=manifests /src/ ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --workspace apps/explorer --include=dev --ignore-scripts --no-audit --no-fund
COPY libs/client ./libs/client
COPY libs/contracts ./libs/contracts
COPY apps/explorer ./apps/explorer
RUN cd apps/explorer && node ../../node_modules/vite/bin/vite.js build \
 && test -f dist/index.html

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# npm and yarn are not needed to run anything here; without them the image is smaller and offers less.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /opt/yarn-* \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg
# Owned by root and read-only to the service user: a compromised process cannot rewrite its code.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY libs ./libs
COPY apps ./apps
COPY tools ./tools
# The built Explorer, where the gateway looks for it (apps/gateway/src/explorer/explorer-files.ts).
COPY --from=explorer /src/apps/explorer/dist ./apps/explorer/dist
# The jobs storage directory (JOBS_STORAGE_DIR in docker-compose.yml and k8s), the one place besides
# /tmp the service user writes: a volume mounted here starts with this ownership.
RUN mkdir -p /data/jobs && chown 1000:1000 /data/jobs
# The `node` user of the base image, by number so that Kubernetes can check runAsNonRoot. It writes
# only to /tmp (@swc-node/register's transform cache): mount a tmpfs or an emptyDir there when the
# root filesystem is read-only.
USER 1000:1000
EXPOSE 8080
# No HEALTHCHECK: each service listens on its own PORT, so the probe belongs to the service
# definition (docker-compose.yml healthcheck, Kubernetes probes on /healthz and /readyz).
CMD ["node", "-r", "@swc-node/register", "apps/gateway/src/main.ts"]
