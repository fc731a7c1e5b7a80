#!/bin/sh
# Container entrypoint. The web service sets MIGRATE_ON_START=true so the database is brought up
# to date before gunicorn starts; worker and beat just run their command.
#
# With DATABASE_ADMIN_URL (a superuser login, the web service's only), `db_roles` first creates
# the roles the service runs as, plo_app (DATABASE_URL) and plo_maintenance
# (MAINTENANCE_DATABASE_URL), and hands the schema to plo_maintenance; `migrate` then runs as
# plo_maintenance and grants plo_app its privileges on what it made. The superuser login is
# removed from the environment before the command starts.
set -e
if [ "${MIGRATE_ON_START:-false}" = "true" ]; then
  python manage.py db_roles
  python manage.py migrate --noinput
fi
unset DATABASE_ADMIN_URL
exec "$@"
