#!/bin/sh
# One role and one database per service, idempotent (safe to run at every start).
# Input: PORTAL_DATABASES="billing identity ..." and <SERVICE>_DB_PASSWORD for each;
# the server from the usual libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGSSLMODE).
set -eu

DEV_SECRET="dev-insecure-change-me"
: "${PORTAL_DATABASES:?PORTAL_DATABASES is empty}"

if [ "${PORTAL_ENV:-production}" = "production" ] && [ "${PGPASSWORD:-}" = "$DEV_SECRET" ]; then
    echo "init-databases: the PostgreSQL password is the development default; set a real one" >&2
    exit 1
fi

for db in $PORTAL_DATABASES; do
    var="$(printf '%s' "$db" | tr 'a-z-' 'A-Z_')_DB_PASSWORD"
    eval "password=\${$var:-}"
    if [ -z "$password" ]; then
        echo "init-databases: $var is empty" >&2
        exit 1
    fi
    if [ "${PORTAL_ENV:-production}" = "production" ] && [ "$password" = "$DEV_SECRET" ]; then
        echo "init-databases: $var is the development default; set a real password" >&2
        exit 1
    fi
    psql -v ON_ERROR_STOP=1 -q -d "${PGDATABASE:-postgres}" -v role="$db" -v password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role')\gexec
ALTER ROLE :"role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
SELECT format('CREATE DATABASE %I OWNER %I', :'role', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'role')\gexec
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"role" TO :"role";
SQL
    echo "init-databases: $db ready"
done
