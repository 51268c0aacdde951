using System.Data;
using System.Globalization;
using Dapper;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace Procurement.Grains.Storage;

/// <summary>
/// Instants are written as UTC: ISO 8601 text with 7 fractional digits on SQLite (fixed width, so
/// text order is time order), timestamptz on PostgreSQL and datetime2(7) on SQL Server. Registered
/// once per process.
/// </summary>
public static class DapperSetup
{
    private static int _done;

    public static void EnsureConfigured()
    {
        if (Interlocked.Exchange(ref _done, 1) == 1)
        {
            return;
        }
        // Dapper maps DateTimeOffset itself and would pass an instant with its offset straight to the
        // driver (which PostgreSQL's refuses unless it is UTC); without the built-in map the handler applies.
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        SqlMapper.AddTypeHandler(new InstantHandler());
    }

    /// <summary>An instant as a raw parameter value for <paramref name="connection"/>'s driver, as the type handler writes it.</summary>
    public static object InstantValue(System.Data.Common.DbConnection connection, DateTimeOffset value) => connection switch
    {
        SqliteConnection => SqliteText(value),
        // SqlClient sends a DateTime as the legacy datetime type (1/300 s); an offset value keeps 100 ns.
        SqlServerConnection => value.ToUniversalTime(),
        _ => value.UtcDateTime,
    };

    public static string SqliteText(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private sealed class InstantHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            if (parameter is SqliteParameter)
            {
                parameter.DbType = DbType.String;
                parameter.Value = SqliteText(value);
            }
            else if (parameter is SqlParameter)
            {
                parameter.DbType = DbType.DateTime2;
                parameter.Value = value.UtcDateTime;
            }
            else
            {
                // A UTC DateTime is sent as timestamptz.
                parameter.Value = value.UtcDateTime;
            }
        }

        public override DateTimeOffset Parse(object value) => value switch
        {
            DateTimeOffset instant => instant.ToUniversalTime(),
            DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
            string text => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
            _ => throw new DataException($"Cannot read an instant from a {value.GetType().Name}."),
        };
    }
}
