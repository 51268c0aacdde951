using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;
using System.Text.RegularExpressions;
using DbUp;
using DbUp.Builder;
using Microsoft.Data.SqlClient;

namespace Procurement.Grains.Storage;

/// <summary>
/// SQL Server through Microsoft.Data.SqlClient. The repositories' SQL is written once, in the subset
/// SQLite and PostgreSQL share; the two constructs of that subset T-SQL lacks, the upsert
/// (<c>INSERT … ON CONFLICT … DO UPDATE</c>) and <c>UPDATE … RETURNING</c>, are rewritten here into a
/// <c>MERGE</c> and an <c>UPDATE … OUTPUT inserted.…</c> when a command's
/// text is set (<see cref="SqlServerConnection"/> routes every command through <see cref="Sql"/>),
/// so no call site can forget it. No SQL Server runs where this is built: every statement the
/// repositories hold is rewritten and parsed by Microsoft's T-SQL parser in the tests, which is
/// what is verified; running against a server is not.
/// </summary>
public sealed partial class SqlServerDialect(string connectionString) : SqlDialect
{
    private readonly ConcurrentDictionary<string, string> _rewritten = new(StringComparer.Ordinal);

    public override string Name => StoreProviders.SqlServer;

    public override string ScriptFolder => "sqlserver";

    public override string ConnectionString { get; } = connectionString;

    public override string Location
    {
        get
        {
            var builder = new SqlConnectionStringBuilder(ConnectionString);
            return $"sqlserver://{builder.DataSource}/{builder.InitialCatalog}";
        }
    }

    // T-SQL takes lock hints on the table, not after the statement: a shared lock held to commit.
    public override string ShareLockSuffix => string.Empty;

    public override string ShareLockHint => " WITH (REPEATABLEREAD, ROWLOCK)";

    public override int WriterCount => 4;

    /// <summary>SQL Server refuses a command with more than 2,100 parameters.</summary>
    public override int MaxParameters => 2_000;

    public override DbConnection CreateConnection() => new SqlServerConnection(new SqlConnection(ConnectionString), this);

    // A DateTimeOffset keeps all seven fractional digits; a DateTime would be sent as the legacy
    // datetime type, rounded to 1/300 s, which would move deadlines.
    public override object Instant(DateTimeOffset value) => value.ToUniversalTime();

    public override string Savepoint(string name) => $"SAVE TRANSACTION {name}";

    public override string RollbackToSavepoint(string name) => $"ROLLBACK TRANSACTION {name}";

    // A T-SQL savepoint ends with its transaction; there is nothing to release.
    public override string? ReleaseSavepoint(string name) => null;

    public override string Sql(string text) => _rewritten.GetOrAdd(text, static t => Rewrite(t));

    /// <summary>
    /// Identifiers compare as SQLite and PostgreSQL compare them, byte for byte ('P04' is not
    /// 'p04'); SQL Server's usual default collation ignores case. A database this creates gets a
    /// binary collation; one the operator made is checked, and refused with the fix when it ignores case.
    /// </summary>
    public const string Collation = "Latin1_General_100_BIN2";

    internal const string DatabaseCollationSql = "SELECT CONVERT(NVARCHAR(128), DATABASEPROPERTYEX(DB_NAME(), 'Collation'))";

    internal override UpgradeEngineBuilder MigrationTarget()
    {
        EnsureDatabase.For.SqlDatabase(ConnectionString, Collation);
        using (var connection = new SqlConnection(ConnectionString))
        {
            connection.Open();
            using var command = new SqlCommand(DatabaseCollationSql, connection);
            var collation = command.ExecuteScalar() as string ?? "";
            if (!IsCaseSensitive(collation))
            {
                throw new InvalidOperationException(
                    $"The SQL Server database {Location} has the collation {collation}, which ignores case, so ids such as 'P04' and 'p04' would be one. " +
                    $"Create it with COLLATE {Collation} (deploy/README.md, SQL Server), or let the silo create it.");
            }
        }
        return DeployChanges.To.SqlDatabase(ConnectionString);
    }

    /// <summary>Whether a SQL Server collation name tells case apart (binary, or marked case-sensitive).</summary>
    public static bool IsCaseSensitive(string collation) =>
        collation.Contains("_BIN", StringComparison.OrdinalIgnoreCase) || collation.Contains("_CS", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// An exclusive application lock owned by a session in <c>master</c> (the target may not exist
    /// yet), named after the target database; released when the migration ends or the session drops.
    /// </summary>
    internal override IDisposable? LockForMigration()
    {
        var target = new SqlConnectionStringBuilder(ConnectionString);
        var master = new SqlConnectionStringBuilder(ConnectionString) { InitialCatalog = "master", Pooling = false };
        var connection = new SqlConnection(master.ToString());
        try
        {
            connection.Open();
            using var command = new SqlCommand(GetMigrationLockSql, connection);
            command.Parameters.AddWithValue("@Resource", $"procurement-migrate:{target.InitialCatalog}");
            command.CommandTimeout = 0;
            command.ExecuteNonQuery();
            return new MigrationLock(connection, target.InitialCatalog);
        }
        catch (SqlException)
        {
            connection.Dispose();
            return null;
        }
    }

    internal const string GetMigrationLockSql = "EXEC sp_getapplock @Resource = @Resource, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = -1";

    internal const string ReleaseMigrationLockSql = "EXEC sp_releaseapplock @Resource = @Resource, @LockOwner = 'Session'";

    private sealed class MigrationLock(SqlConnection connection, string database) : IDisposable
    {
        public void Dispose()
        {
            using (var command = new SqlCommand(ReleaseMigrationLockSql, connection))
            {
                command.Parameters.AddWithValue("@Resource", $"procurement-migrate:{database}");
                command.ExecuteNonQuery();
            }
            connection.Dispose();
        }
    }

    [GeneratedRegex(
        @"^\s*INSERT\s+INTO\s+(?<table>\w+)(?:\s+AS\s+(?<alias>\w+))?\s*\((?<columns>[^)]*)\)\s*VALUES\s*(?<values>.+?)\s+ON\s+CONFLICT\s*\((?<key>[^)]*)\)\s*DO\s+(?:(?<nothing>NOTHING)|UPDATE\s+SET\s+(?<set>.+?)(?:\s+WHERE\s+(?<where>.+?))?)\s*;?\s*$",
        RegexOptions.Singleline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Upsert();

    [GeneratedRegex(@"\bON\s+CONFLICT\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OnConflict();

    /// <summary>
    /// The T-SQL for a statement in the shared subset: an upsert becomes a <c>MERGE</c> that holds
    /// its key range (so two writers cannot both insert the key), every other text is unchanged.
    /// </summary>
    internal static string Rewrite(string text)
    {
        if (Returning().IsMatch(text))
        {
            return RewriteReturning(text);
        }
        if (!OnConflict().IsMatch(text))
        {
            return text;
        }
        var match = Upsert().Match(text);
        if (!match.Success)
        {
            throw new NotSupportedException($"This upsert has a form the SQL Server dialect cannot rewrite: {text}");
        }
        var table = match.Groups["table"].Value;
        var target = match.Groups["alias"].Success ? match.Groups["alias"].Value : table;
        var columns = SplitTopLevel(match.Groups["columns"].Value);
        var key = SplitTopLevel(match.Groups["key"].Value);
        var rows = SplitRows(match.Groups["values"].Value);

        var sql = new StringBuilder();
        sql.Append("MERGE INTO ").Append(table).Append(" WITH (HOLDLOCK) AS ").Append(target).Append('\n');
        string insertValues;
        string? set = match.Groups["set"].Success ? match.Groups["set"].Value.Trim() : null;
        string? where = match.Groups["where"].Success ? match.Groups["where"].Value.Trim() : null;
        if (rows.Count == 1)
        {
            // One row: the values go straight into the INSERT and the SET (a bare NULL in a derived
            // table would be typed int, which T-SQL will not convert to every column type); the
            // source holds the key alone.
            var items = rows[0];
            if (items.Count != columns.Count)
            {
                throw new NotSupportedException($"The upsert names {columns.Count} columns but gives {items.Count} values: {text}");
            }
            var byColumn = columns.Select((c, i) => (c, items[i])).ToDictionary(p => p.c, p => p.Item2, StringComparer.OrdinalIgnoreCase);
            sql.Append("USING (SELECT ").Append(string.Join(", ", key.Select(k => $"{byColumn[k]} AS {k}"))).Append(") AS excluded\n");
            set = set is null ? null : ExcludedColumn().Replace(set, m => byColumn[m.Groups["column"].Value]);
            where = where is null ? null : ExcludedColumn().Replace(where, m => byColumn[m.Groups["column"].Value]);
            insertValues = string.Join(", ", items);
        }
        else
        {
            sql.Append("USING (VALUES ").Append(match.Groups["values"].Value.Trim()).Append(") AS excluded (").Append(string.Join(", ", columns)).Append(")\n");
            insertValues = string.Join(", ", columns.Select(c => $"excluded.{c}"));
        }
        sql.Append("   ON ").Append(string.Join(" AND ", key.Select(k => $"{target}.{k} = excluded.{k}"))).Append('\n');
        if (set is not null)
        {
            sql.Append(" WHEN MATCHED").Append(where is null ? "" : $" AND {where}").Append(" THEN UPDATE SET ").Append(set).Append('\n');
        }
        sql.Append(" WHEN NOT MATCHED THEN INSERT (").Append(string.Join(", ", columns)).Append(") VALUES (").Append(insertValues).Append(");");
        return sql.ToString();
    }

    [GeneratedRegex(@"\bRETURNING\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Returning();

    [GeneratedRegex(
        @"^\s*UPDATE\s+(?<table>\w+)\s+SET\s+(?<set>.+?)\s+WHERE\s+(?<where>.+?)\s+RETURNING\s+(?<columns>[\w\s,]+?)\s*;?\s*$",
        RegexOptions.Singleline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UpdateReturning();

    /// <summary><c>UPDATE … WHERE … RETURNING c</c> as T-SQL has it: <c>UPDATE … OUTPUT inserted.c WHERE …</c>.</summary>
    private static string RewriteReturning(string text)
    {
        var match = UpdateReturning().Match(text);
        if (!match.Success)
        {
            throw new NotSupportedException($"This RETURNING has a form the SQL Server dialect cannot rewrite: {text}");
        }
        var output = string.Join(", ", SplitTopLevel(match.Groups["columns"].Value).Select(c => $"inserted.{c}"));
        return $"UPDATE {match.Groups["table"].Value}\n   SET {match.Groups["set"].Value.Trim()}\nOUTPUT {output}\n WHERE {match.Groups["where"].Value.Trim()}";
    }

    [GeneratedRegex(@"\bexcluded\.(?<column>\w+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ExcludedColumn();

    /// <summary>The comma-separated items of a list, splitting only outside parentheses and quotes.</summary>
    private static List<string> SplitTopLevel(string list)
    {
        var items = new List<string>();
        var depth = 0;
        var quoted = false;
        var start = 0;
        for (var i = 0; i < list.Length; i++)
        {
            var c = list[i];
            if (c == '\'')
            {
                quoted = !quoted;
            }
            else if (!quoted && c == '(')
            {
                depth++;
            }
            else if (!quoted && c == ')')
            {
                depth--;
            }
            else if (!quoted && depth == 0 && c == ',')
            {
                items.Add(list[start..i].Trim());
                start = i + 1;
            }
        }
        items.Add(list[start..].Trim());
        return items;
    }

    /// <summary>The rows of a VALUES list <c>(a, b), (c, d)</c>, each split into its items.</summary>
    private static List<List<string>> SplitRows(string values) =>
        SplitTopLevel(values)
            .Select(row => row.StartsWith('(') && row.EndsWith(')')
                ? SplitTopLevel(row[1..^1])
                : throw new NotSupportedException($"An upsert's VALUES row must be parenthesised: {row}"))
            .ToList();
}
