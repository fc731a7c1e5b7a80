#!/bin/sh
# Container entrypoint. The web service sets MIGRATE_ON_START=true so the schema is
# brought up to date before gunicorn starts; worker and beat just run their command.
set -e
if [ "${MIGRATE_ON_START:-false}" = "true" ]; then
  python manage.py migrate --noinput
fi
exec "$@"
