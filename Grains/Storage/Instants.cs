using System.Data;
using System.Globalization;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace Procurement.Grains.Storage;

/// <summary>
/// Instants as the databases keep them, converted here and nowhere else: Dapper's type handler
/// (<see cref="DapperSetup"/>) and the prepared statements both bind through <see cref="Bind"/>,
/// and every reader reads through <see cref="Read"/>. An instant is written as UTC: ISO 8601 text
/// with 7 fractional digits on SQLite (fixed width, so text order is time order), timestamptz on
/// PostgreSQL and datetime2(7) on SQL Server.
/// </summary>
public static class Instants
{
    public static void Bind(IDbDataParameter parameter, DateTimeOffset value)
    {
        switch (parameter)
        {
            case SqliteParameter:
                parameter.DbType = DbType.String;
                parameter.Value = SqliteText(value);
                break;
            case SqlParameter:
                // Without the type SqlClient would send a DateTime as the legacy datetime type,
                // rounded to 1/300 s, which would move deadlines.
                parameter.DbType = DbType.DateTime2;
                parameter.Value = value.UtcDateTime;
                break;
            default:
                // Npgsql sends a UTC DateTime as timestamptz (and refuses an offset that is not UTC).
                parameter.Value = value.UtcDateTime;
                break;
        }
    }

    /// <summary>An instant as each driver returns it: SQLite's text, a UTC or unspecified DateTime, or an offset value.</summary>
    public static DateTimeOffset Read(object value) => value switch
    {
        DateTimeOffset instant => instant.ToUniversalTime(),
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
        string text when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed) => parsed,
        _ => throw new FormatException($"'{value}' ({value.GetType().Name}) is not an instant."),
    };

    /// <summary>An instant as SQLite keeps it.</summary>
    public static string SqliteText(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
