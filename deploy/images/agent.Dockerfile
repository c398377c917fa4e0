# The Cairn agent: `cairn agent k8s` (the Kubernetes glue), `cairn agent daemon`, and the
# task runner that the glue's pods copy from /opt/cairn with an init container (Node and
# the agent, self-contained, so task images need only Python 3.8+ and git).
#   docker build -f deploy/images/agent.Dockerfile -t cairn-agent:0.1.0 .   (from the repository root)
FROM node:20.19.5-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages ./packages
RUN npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev --no-audit --no-fund

# Python for `cairn agent daemon` (task virtualenvs) and git for checkouts.
FROM python:3.11.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/node /opt/cairn/node/bin/node
COPY --from=build /src/package.json /opt/cairn/app/package.json
COPY --from=build /src/node_modules /opt/cairn/app/node_modules
COPY --from=build /src/packages /opt/cairn/app/packages
COPY deploy/images/run-task /opt/cairn/run-task
RUN chmod 0755 /opt/cairn/run-task && useradd --uid 10001 --user-group --create-home cairn
USER 10001
ENV PATH=/opt/cairn/node/bin:$PATH NODE_ENV=production
ENTRYPOINT ["/opt/cairn/node/bin/node", "/opt/cairn/app/packages/cli/bin/cairn.js", "agent"]
CMD ["--help"]
