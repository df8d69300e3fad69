# syntax=docker/dockerfile:1
# Relance: one image for both the web node (default CMD) and the worker node
# (`node --import tsx server/worker.ts`). See docker-compose.yml.

ARG NODE_IMAGE=node:22-bookworm-slim

# --- deps: every dependency, dev ones included, for the build ---------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no install script is needed to build (the build stage generates the Prisma
# client itself), and the image's npm may not honour package.json's allowScripts, which keeps
# @prisma/engines from downloading engines the project does not use.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund

# --- build: Prisma client + React Router server and client bundles ----------------------------
FROM deps AS build
WORKDIR /app
COPY . .
RUN npm run db:generate && npm run build

# --- prod-deps: runtime dependencies only --------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the root postinstall needs the dev-only Prisma CLI; the generated client is
# copied from the build stage instead. No runtime dependency needs its install script in
# production (embedded PostgreSQL is only for local mode).
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- runtime ----------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
COPY --from=prod-deps /app/node_modules ./node_modules
# tsconfig.json: tsx compiles the TypeScript at start with the same options as in development.
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY scripts ./scripts
COPY prisma ./prisma
COPY server ./server
COPY --from=build /app/server/db/generated ./server/db/generated
COPY --from=build /app/build ./build
# Files stay root-owned (read-only for the app); the process runs as the image's unprivileged user.
USER node
EXPOSE 3000
# Slim images have no curl: Node's own fetch does the probe (on PORT, should it be overridden).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
CMD ["node", "--import", "tsx", "server/web.ts"]
