# syntax=docker/dockerfile:1
# Klinikfunk web server: the built SPA behind nginx, /api/ proxied to the API service.
# Build context: the repository root.
#   docker build -f deploy/web.Dockerfile -t klinikfunk-web .
FROM node:20 AS build
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
# Sources one path at a time, so a developer's node_modules or dist never enters the build.
COPY frontend/index.html frontend/vite.config.ts frontend/tsconfig.json frontend/tsconfig.app.json frontend/tsconfig.node.json ./
COPY frontend/public ./public
COPY frontend/src ./src
RUN npm run build

FROM nginx:stable-alpine
COPY deploy/nginx.conf /etc/nginx/conf.d/default.conf
COPY deploy/security-headers.conf /etc/nginx/snippets/security-headers.conf
COPY --from=build /src/frontend/dist /usr/share/nginx/html
EXPOSE 80
