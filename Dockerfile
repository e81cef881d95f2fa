# One production image for every process of Aidants Connect; the command picks the process:
#   web server (default)  node --import tsx server/main.ts
#   Temporal worker       node --import tsx worker/main.ts
#   migrations            node --import tsx scripts/migrate.ts
# (the front of docker-compose.yml is nginx: infra/docker/front.nginx.conf)
# (no demo data: scripts/seed.ts refuses NODE_ENV=production, which this image sets)
# Configuration comes from the environment (see config/index.ts and docker-compose.yml).
FROM node:20-bookworm-slim

WORKDIR /app

# Dependencies first, so that a source change does not reinstall them.
# `npm ci` fails on our registry mirror, hence `npm install` (it still follows package-lock.json).
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund \
 && npm cache clean --force

COPY . .

ENV NODE_ENV=production \
    ADMIN_JS_TMP_DIR=/app/adminjs-bundle

# The back-office's components bundled once, here, rather than by every web process at start-up; the
# sources and the bundle stay owned by root (read-only for the service).
RUN node --import tsx scripts/bundle-admin.ts
# The workflows bundled once too: every worker of a release runs the very code built here, and starts at once.
RUN node --import tsx scripts/bundle-workflows.ts /app/workflow-bundle.js
ENV ADMIN_JS_SKIP_BUNDLE=true \
    WORKFLOW_BUNDLE=/app/workflow-bundle.js

USER node

EXPOSE 3000

CMD ["node", "--import", "tsx", "server/main.ts"]
