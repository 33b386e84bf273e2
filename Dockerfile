# Minos: a production image. Three stages: `deps` installs exactly what package-lock.json pins,
# `build` runs `next build` and drops the dev dependencies, `runtime` is a slim Node image that
# holds only what the server reads, and runs as an unprivileged user.
#
#   docker build -t minos .
#   docker run -p 3000:3000 -v minos-state:/var/lib/minos -e MINOS_ORIGIN=http://localhost:3000 minos
#
# Every environment variable is described in docs/deployment.md and README.md. The build stages
# hold no secret: MINOS_SECRET_KEY, MINOS_DATABASE_URL and talosconfigs are given at run time.
# `npm run test:deploy` runs this file's steps without a container engine (scripts/deploy/).

# Node 20 is what package.json's engines and the CI machines use; 22 is a build argument away.
ARG NODE_VERSION=20

# --- deps: node_modules as locked. better-sqlite3 is a native addon: when no prebuilt binary
# fits, node-gyp compiles it here, with the python3, make and g++ of the full bookworm image.
FROM node:${NODE_VERSION}-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# --- build: the production build, then the dev dependencies (TypeScript, ESLint, Vitest,
# Playwright) and Next's build cache are removed, so the runtime copies only what it runs.
FROM node:${NODE_VERSION}-bookworm AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN npm run build
RUN npm prune --omit=dev --no-audit --no-fund && rm -rf .next/cache
# The state directory, made here so the runtime gets it owned by its user with mode 0700
# (a directory that VOLUME creates would belong to root).
RUN mkdir -m 0700 state

# --- runtime
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
WORKDIR /app
# MINOS_HOST: listen on every interface of the container, not only its loopback.
# MINOS_STATE_DIR: the SQLite store, the generated key and the first-start link (single node).
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    MINOS_HOST=0.0.0.0 \
    MINOS_STATE_DIR=/var/lib/minos
# Owned by root and read-only to the server: it can write nowhere but its state and /tmp.
COPY --from=build /app/package.json /app/next.config.ts /app/tsconfig.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/.next ./.next
COPY --from=build /app/lib ./lib
COPY --from=build /app/scripts ./scripts
COPY --from=build --chown=1000:1000 /app/state /var/lib/minos
# The base image's `node` user, by number so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 3000
VOLUME ["/var/lib/minos"]
# Loopback and a Host Minos always answers to (see MINOS_ALLOWED_HOSTS); no curl in a slim image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Minos's own server (scripts/serve.ts, what `npm start` runs once built): it stamps each
# request's client address from the socket and MINOS_TRUSTED_PROXIES. One process, so SIGTERM
# reaches it directly. It never starts the simulated fleet; see docs/deployment.md for a demo.
CMD ["node", "--import", "tsx", "scripts/serve.ts"]
