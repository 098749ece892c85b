# The plugin's container image: Node, the docker CLI and the bundled plugin.
#
#   npm ci && bash scripts/make-base-image.sh && docker build -t interlink-docker-plugin:local .
#
# BASE_IMAGE holds node (>= 20.20), npm and the docker CLI. scripts/make-base-image.sh makes one
# from this machine's files with `docker import`, so no registry is needed; any image with the
# three on PATH will do. node_modules comes from `npm ci` on the build host: the build itself
# needs no registry either.
ARG BASE_IMAGE=interlink-docker-plugin/base:local

FROM ${BASE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY node_modules ./node_modules
COPY scripts/build.mjs ./scripts/
COPY generated ./generated
COPY spec ./spec
COPY src ./src
RUN ["node", "scripts/build.mjs"]
RUN ["node", "/usr/local/lib/node_modules/npm/bin/npm-cli.js", "prune", "--omit=dev", "--offline", "--no-audit", "--no-fund"]

FROM ${BASE_IMAGE}
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/spec/plugin-openapi.json ./spec/
# Not root: give the container the docker socket's group (--group-add), or build with
# --build-arg PLUGIN_USER=10001:<the socket's gid> where the runtime cannot add groups (interLink's
# Helm chart), or PLUGIN_USER=0:0 where only root may use the socket. The state dir must be
# mounted at the same path inside and outside.
ARG PLUGIN_USER=10001:10001
USER ${PLUGIN_USER}
# --optimize-for-size as npm start has it: docs/performance.md, Memory.
ENTRYPOINT ["node", "--optimize-for-size", "/app/dist/src/main.mjs"]
