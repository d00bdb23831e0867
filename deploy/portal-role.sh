#!/bin/sh
# Create or refresh the internet zone's database role (deploy/portal-role.sql) and set its password.
#
#   PORTAL_DB_PASSWORD=… deploy/portal-role.sh postgresql://anxin@127.0.0.1:5432/anxin
#
# The URL is the internal zone's (the owner of the tables). Run it after every `manage.py migrate`.
# Without PORTAL_DB_PASSWORD the grants are refreshed and the role's login is left as it was.
# The portal process then connects with
#   DATABASE_URL=postgresql://anxin_portal:…@<database address>:5432/anxin
set -eu
here=$(dirname "$0")
owner_url=${1:?"usage: PORTAL_DB_PASSWORD=… $0 OWNER_DATABASE_URL"}
psql "$owner_url" -v ON_ERROR_STOP=1 -q -f "$here/portal-role.sql"
if [ -n "${PORTAL_DB_PASSWORD:-}" ]; then
    # psql quotes the value itself (:'pw'); it expands variables only in what it reads, not in -c.
    echo "ALTER ROLE anxin_portal LOGIN PASSWORD :'pw';" |
        psql "$owner_url" -v ON_ERROR_STOP=1 -q -v pw="$PORTAL_DB_PASSWORD"
    echo "anxin_portal: grants refreshed, login password set"
else
    echo "anxin_portal: grants refreshed (PORTAL_DB_PASSWORD not set: login left as it was)" >&2
fi
