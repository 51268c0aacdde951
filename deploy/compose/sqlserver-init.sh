#!/usr/bin/env bash
# One-shot SQL Server initialisation for deploy/compose/sqlserver.yml (also usable by hand with
# sqlcmd on the PATH as /opt/mssql-tools18/bin/sqlcmd):
#   1. creates the database $APP_DB with a binary collation (ids compare case-sensitively, as on the
#      other databases; the silo refuses a case-insensitive one) and the login/user $APP_LOGIN
#      (db_owner: DbUp creates tables),
#   2. runs the Orleans clustering and reminder scripts /scripts/orleans/*.sql in file-name order,
#      unless the Orleans tables are already there.
# Connection: SQLCMDSERVER, SQLCMDUSER, SQLCMDPASSWORD (sqlcmd reads them from the environment, so
# no password appears on a command line). Idempotent: safe to run on every start.
set -euo pipefail

sqlcmd=/opt/mssql-tools18/bin/sqlcmd
: "${SQLCMDSERVER:?}" "${SQLCMDUSER:?}" "${SQLCMDPASSWORD:?}"
: "${APP_DB:?}" "${APP_LOGIN:?}" "${APP_PASSWORD:?}"
scripts=${ORLEANS_SCRIPTS:-/scripts/orleans}

# -C: trust the server's self-signed certificate (the container's own); -b: fail on the first error.
run() { "$sqlcmd" -C -b "$@"; }

for attempt in $(seq 1 60); do
  if run -Q "SELECT 1" > /dev/null 2>&1; then break; fi
  if [ "$attempt" = 60 ]; then echo "SQL Server at $SQLCMDSERVER does not answer." >&2; exit 1; fi
  sleep 2
done

# $(APP_DB), $(APP_LOGIN), $(APP_PASSWORD) are sqlcmd scripting variables taken from the environment.
setup=$(mktemp)
cat > "$setup" <<'SQL'
SET NOCOUNT ON;
IF DB_ID(N'$(APP_DB)') IS NULL
    EXEC (N'CREATE DATABASE [$(APP_DB)] COLLATE Latin1_General_100_BIN2');
IF SUSER_ID(N'$(APP_LOGIN)') IS NULL
    EXEC (N'CREATE LOGIN [$(APP_LOGIN)] WITH PASSWORD = N''$(APP_PASSWORD)'', CHECK_POLICY = ON');
GO
USE [$(APP_DB)];
IF USER_ID(N'$(APP_LOGIN)') IS NULL
BEGIN
    EXEC (N'CREATE USER [$(APP_LOGIN)] FOR LOGIN [$(APP_LOGIN)]');
    EXEC (N'ALTER ROLE db_owner ADD MEMBER [$(APP_LOGIN)]');
END
GO
SQL
run -i "$setup"
rm -f "$setup"
echo "Database $APP_DB and login $APP_LOGIN are in place."

installed=$(run -d "$APP_DB" -h -1 -W -Q "SET NOCOUNT ON; SELECT CASE WHEN OBJECT_ID(N'dbo.OrleansQuery') IS NULL THEN 0 ELSE 1 END" | tr -d '[:space:]')
if [ "$installed" = "1" ]; then
  echo "Orleans tables already installed in $APP_DB; nothing to do."
  exit 0
fi

shopt -s nullglob
files=("$scripts"/*.sql)
if [ "${#files[@]}" -eq 0 ]; then
  echo "No Orleans scripts in $scripts (expected deploy/sql/orleans/sqlserver/*.sql)." >&2
  exit 1
fi
for file in "${files[@]}"; do
  echo "Applying $(basename "$file")"
  # -x: the Orleans scripts are plain T-SQL; no sqlcmd variable substitution inside them.
  run -d "$APP_DB" -x -i "$file"
done
echo "Orleans clustering and reminder tables installed in $APP_DB."
