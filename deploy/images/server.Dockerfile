# The Cairn server: API (8008), web UI (8080) and file server (8081) in one process, with
# its SQLite database and files under /data.
#   docker build -f deploy/images/server.Dockerfile -t cairn-server:0.1.0 .   (from the repository root)
FROM node:20.19.5-bookworm-slim AS build
# better-sqlite3 compiles from source where no prebuilt binary can be fetched
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages ./packages
RUN npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20.19.5-bookworm-slim
WORKDIR /opt/cairn
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/packages ./packages
RUN useradd --uid 10001 --user-group --home-dir /data --create-home cairn
USER 10001
ENV CAIRN_DATA_DIR=/data CAIRN_HOST=0.0.0.0 NODE_ENV=production
VOLUME /data
EXPOSE 8008 8080 8081
ENTRYPOINT ["node", "/opt/cairn/packages/cli/bin/cairn.js"]
CMD ["server"]
