-- Orleans' ADO.NET providers (Microsoft.Orleans.Clustering.AdoNet, Microsoft.Orleans.Reminders.AdoNet)
-- ship no SQL: at start-up each reads its named queries with exactly
--     SELECT QueryKey, QueryText FROM OrleansQuery
-- and refuses to start when a key it needs is missing. A query text binds named parameters
-- (@Name, typed by the provider) and returns the columns the provider reads by name.
--
-- Names are unquoted as in that fixed query: PostgreSQL folds them to lower case, and Npgsql
-- finds a column by name regardless of case. Every script here may run again: it creates only
-- what is missing and rewrites our query texts.
CREATE TABLE IF NOT EXISTS OrleansQuery (
    QueryKey        VARCHAR(64) NOT NULL PRIMARY KEY,
    QueryText       TEXT        NOT NULL
);
