# PLO Tracker image: one image for the web, worker and beat services in docker-compose.yml.

# Stage 1: GOV.UK Frontend stylesheet and script, built exactly as `make install` builds them.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend/ frontend/
RUN mkdir -p static/build/govuk/assets \
 && npm run --silent build \
 && cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js \
       node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js.map static/build/ \
 && cp -R node_modules/govuk-frontend/dist/govuk/assets/images static/build/govuk/assets/images

# Stage 2: the Python application.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=plo_tracker.settings

# Pango and HarfBuzz for WeasyPrint PDFs; Liberation fonts are metric-compatible with Arial.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 plo \
 && mkdir -p /var/lib/plo/beat /var/lib/plo/media \
 && chown -R plo:plo /var/lib/plo

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY . .
COPY --from=assets /app/static/build static/build

# collectstatic needs importable production settings, not real services: nothing here connects.
RUN DEBUG=false \
    SECRET_KEY=collectstatic-only-not-used-at-run-time-0123456789abcdefghijklmnop \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build@localhost:5432/build \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput --verbosity 0

USER plo
EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "--config", "plo_tracker/gunicorn.conf.py", "plo_tracker.wsgi:application"]
