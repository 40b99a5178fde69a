# syntax=docker/dockerfile:1

# OEE Monitor production image.
#   build:   full `npm ci` (SvelteKit, vite and svelte are devDependencies), `npm run build` (web/ → web/build),
#            then drop the devDependencies.
#   runtime: that tree, run with `npm start` as the unprivileged `node` user (uid 1000).
# The server runs from TypeScript through tsx (a dependency), so sources and tsconfig.json ship in the image.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
# Manifests first, so the dependency layer is reused while only sources change.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY . .
RUN npm run build \
 && npm prune --omit=dev \
 && rm -rf web/.svelte-kit

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
WORKDIR /app
# Files stay owned by root: the app cannot rewrite its own code. Only ./data (the embedded Postgres of a
# DATABASE_URL-less start) is writable.
COPY --from=build /app ./
RUN mkdir -p /app/data && chown node:node /app/data
USER node

# 3000: HTTP (API, legacy DigitME2 routes, web app, websockets). 8090/udp: tablet discovery.
EXPOSE 3000 8090/udp

# The slim image has no curl; Node 20 has fetch. /api/v1/health answers 200 even when degraded.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://localhost:3000/api/v1/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

STOPSIGNAL SIGTERM
CMD ["npm", "start"]
