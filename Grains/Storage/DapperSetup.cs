using System.Data;
using Dapper;

namespace Procurement.Grains.Storage;

/// <summary>
/// Dapper reads and writes instants through <see cref="Instants"/>. Registered once per process.
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

    /// <summary>An instant as SQLite keeps it (for code that binds a raw command itself).</summary>
    public static string SqliteText(DateTimeOffset value) => Instants.SqliteText(value);

    private sealed class InstantHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value) => Instants.Bind(parameter, value);

        public override DateTimeOffset Parse(object value) => Instants.Read(value);
    }
}
