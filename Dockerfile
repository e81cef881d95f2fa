# One production image for every process of Aidants Connect; the command picks the process:
#   web server (default)  node --import tsx server/main.ts
#   Temporal worker       node --import tsx worker/main.ts
#   migrations            node --import tsx scripts/migrate.ts
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

# The sources stay owned by root (read-only for the service); AdminJS writes its bundle at start-up.
RUN mkdir -p "$ADMIN_JS_TMP_DIR" && chown node:node "$ADMIN_JS_TMP_DIR"

USER node

EXPOSE 3000

CMD ["node", "--import", "tsx", "server/main.ts"]
