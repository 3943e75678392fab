# syntax=docker/dockerfile:1
# Klinikfunk API and worker image (one image, two commands). Build context: the repository root.
#   docker build -f deploy/api.Dockerfile -t klinikfunk-api .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/klinikfunk/backend/.venv

RUN pip install --no-cache-dir "uv>=0.8" \
    && groupadd --system klinikfunk \
    && useradd --system --gid klinikfunk --home-dir /var/lib/klinikfunk --create-home klinikfunk

WORKDIR /opt/klinikfunk/backend

# Dependencies first (cached while only the code changes), from the lock file exactly.
COPY backend/pyproject.toml backend/uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

# The code: copied one path at a time so a developer's backend/.venv or data/ never enters the image.
COPY backend/alembic.ini ./alembic.ini
COPY backend/migrations ./migrations
COPY backend/app ./app
RUN uv sync --frozen --no-dev

ENV PATH="/opt/klinikfunk/backend/.venv/bin:$PATH" \
    KLINIKFUNK_HOST=0.0.0.0 \
    KLINIKFUNK_PORT=8000 \
    KLINIKFUNK_DATA_DIR=/var/lib/klinikfunk

USER klinikfunk
EXPOSE 8000
CMD ["klinikfunk", "serve", "--no-migrate"]
