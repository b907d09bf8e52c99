# Production image: PostgreSQL given by DATABASE_URL, several workers, no state in the container.
#   docker build -t fuer-plans .
#   docker run --rm -e DATABASE_URL=postgresql://user:pw@db/fuer fuer-plans python -m app migrate
#   docker run --rm -e DATABASE_URL=postgresql://user:pw@db/fuer fuer-plans python -m app seed   # the six plans
#   docker run -d -p 8000:8000 -e DATABASE_URL=postgresql://user:pw@db/fuer fuer-plans
#   docker run -d -e DATABASE_URL=postgresql://user:pw@db/fuer fuer-plans python -m app worker   # one or more
# The worker delivers webhooks and runs the daily jobs (due dates, the catch-up); run as many as you like, on any
# machine: they share the work through the database, and a killed worker loses nothing.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
RUN /opt/venv/bin/pip install --require-hashes -r /tmp/requirements.lock

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 PORT=8000 WEB_CONCURRENCY=4
RUN useradd --system --uid 10001 --home-dir /srv app
WORKDIR /srv
COPY --from=build /opt/venv /opt/venv
COPY alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY seeds ./seeds
COPY schemas ./schemas
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=2)"
CMD ["sh", "-c", "exec python -m app serve --host \"$HOST\" --port \"$PORT\" --workers \"$WEB_CONCURRENCY\""]
