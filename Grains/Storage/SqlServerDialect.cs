using System.Data.Common;
using DbUp;
using DbUp.Builder;
using Microsoft.Data.SqlClient;
using Procurement.Grains.Storage.Dialects;

namespace Procurement.Grains.Storage;

/// <summary>
/// SQL Server through Microsoft.Data.SqlClient. The statements T-SQL spells its own way (upserts as
/// <c>MERGE</c>, <c>OUTPUT inserted.…</c> for <c>RETURNING</c>, lock hints on the table) are
/// <see cref="SqlServerStatements"/>. No SQL Server runs where this is built: every statement the
/// store can send is parsed by Microsoft's T-SQL parser in the tests, which is what is verified;
/// running against a server is not.
/// </summary>
public sealed class SqlServerDialect(string connectionString) : SqlDialect
{
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

    public override DialectStatements Statements { get; } = new SqlServerStatements();

    public override int WriterCount => 4;

    /// <summary>SQL Server refuses a command with more than 2,100 parameters.</summary>
    public override int MaxParameters => 2_000;

    public override DbConnection CreateConnection() => new SqlConnection(ConnectionString);

    public override string Savepoint(string name) => $"SAVE TRANSACTION {name}";

    public override string RollbackToSavepoint(string name) => $"ROLLBACK TRANSACTION {name}";

    // A T-SQL savepoint ends with its transaction; there is nothing to release.
    public override string? ReleaseSavepoint(string name) => null;

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
}
