-- Orleans' ADO.NET providers (Microsoft.Orleans.Clustering.AdoNet, Microsoft.Orleans.Reminders.AdoNet)
-- ship no SQL: at start-up each reads its named queries with exactly
--     SELECT QueryKey, QueryText FROM OrleansQuery
-- and refuses to start when a key it needs is missing. A query text binds named parameters
-- (@Name, typed by the provider) and returns the columns the provider reads by name.
--
-- The tables live in the login's default schema, where that fixed query finds them. Every script
-- here may run again: it creates only what is missing and rewrites our query texts.
IF OBJECT_ID(N'OrleansQuery', N'U') IS NULL
    CREATE TABLE OrleansQuery (
        QueryKey        VARCHAR(64)   NOT NULL CONSTRAINT PK_OrleansQuery PRIMARY KEY,
        QueryText       NVARCHAR(MAX) NOT NULL
    );
GO
