# The gateway on Node 24. TypeScript runs directly through Node's type stripping: no build stage, and no
# devDependencies (typescript, vitest, the node@24 package) in the image.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency needs an install script, and none should run with network access here.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
# HOST 0.0.0.0: reachable from outside the container. SCIMGW_DATA_DIR: the embedded id map (demo mode); a
# gateway.yaml sets its own store.dataDir (the chart's uses /data as well).
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 SCIMGW_DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
COPY connectors ./connectors
COPY schemas ./schemas
# Mount points: /config/gateway.yaml, /connectors (extra connector folders, listed in the config's
# connectorDirs), /secrets (tokens and app credentials as files, referenced as file:/secrets/NAME).
RUN mkdir -p /data /config /connectors /secrets && chown 1000:1000 /data
# Numeric (the image's "node" user), so Kubernetes' runAsNonRoot can verify it without a passwd lookup.
USER 1000:1000
VOLUME ["/data"]
EXPOSE 8080
# /livez on this container's own port; with server.tls set SCIMGW_HEALTH_URL=https://127.0.0.1:<port>/livez.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 CMD ["node", "src/healthcheck.ts"]
# No arguments: the demo. Serving real apps: docker run … <image> --config /config/gateway.yaml
ENTRYPOINT ["node", "src/main.ts"]
