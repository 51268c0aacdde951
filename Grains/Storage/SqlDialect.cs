using System.Data.Common;
using DbUp;
using DbUp.Builder;
using Microsoft.Data.Sqlite;
using Npgsql;
using Procurement.Grains.Storage.Dialects;

namespace Procurement.Grains.Storage;

/// <summary>
/// Everything that differs between the databases we run on, in one place: connections, the
/// migration target, write transactions, savepoints and the statements whose text is not portable
/// (<see cref="Statements"/>, one named statement each, chosen with the dialect when the store
/// starts). The repositories' other statements are written once, in the subset the databases share.
/// </summary>
public abstract class SqlDialect
{
    public abstract string Name { get; }

    /// <summary>The folder under <c>deploy/sql</c> whose scripts migrate this database.</summary>
    public abstract string ScriptFolder { get; }

    public abstract string ConnectionString { get; }

    /// <summary>Where the data lives, for the start-up log (a file path or a host and database).</summary>
    public abstract string Location { get; }

    /// <summary>This database's text of the statements that differ between databases.</summary>
    public abstract DialectStatements Statements { get; }

    /// <summary>The most parameters one command may carry (multi-row statements are cut to fit).</summary>
    public virtual int MaxParameters => 30_000;

    /// <summary>How many transactions the store writer runs at once.</summary>
    public abstract int WriterCount { get; }

    public abstract DbConnection CreateConnection();

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = CreateConnection();
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>Opens a connection for writing, with whatever per-connection settings writes need.</summary>
    public virtual Task<DbConnection> OpenForWriteAsync(CancellationToken cancellationToken = default) => OpenAsync(cancellationToken);

    public virtual ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        connection.BeginTransactionAsync(cancellationToken);

    /// <summary>Whether the driver's async methods in fact complete synchronously (run the writer on a thread of its own).</summary>
    public virtual bool SynchronousDriver => false;

    /// <summary>An instant as this database keeps it (what reading it back gives).</summary>
    public virtual DateTimeOffset KeptInstant(DateTimeOffset instant) => instant.ToUniversalTime();

    /// <summary>Whether many rows go faster as one multi-row INSERT (a server: fewer round trips).</summary>
    public virtual bool PrefersMultiRowInsert => true;

    public virtual string Savepoint(string name) => $"SAVEPOINT {name}";

    public virtual string RollbackToSavepoint(string name) => $"ROLLBACK TO SAVEPOINT {name}";

    /// <summary>The statement that ends a savepoint kept, or null where savepoints need no release.</summary>
    public virtual string? ReleaseSavepoint(string name) => $"RELEASE SAVEPOINT {name}";

    /// <summary>Database-wide settings that must be in place before the migrations run.</summary>
    internal virtual void Prepare()
    {
    }

    /// <summary>
    /// Held while one process creates and migrates the database, so silos starting together take
    /// turns (the first migrates, the others find it done); null where only one process migrates.
    /// </summary>
    internal virtual IDisposable? LockForMigration() => null;

    /// <summary>Creates the database if the server allows it and returns the DbUp builder for it.</summary>
    internal abstract UpgradeEngineBuilder MigrationTarget();

    public static SqlDialect Create(StoreOptions options) => options.Provider switch
    {
        StoreProviders.Sqlite => new SqliteDialect(options),
        StoreProviders.PostgreSql => new PostgresDialect(options.ConnectionString!),
        StoreProviders.SqlServer => new SqlServerDialect(options.ConnectionString!),
        _ => throw new InvalidOperationException($"Unknown store provider '{options.Provider}'."),
    };
}

public sealed class SqliteDialect : SqlDialect
{
    private readonly string _synchronous;
    private readonly int _cacheKiB;

    public SqliteDialect(StoreOptions options)
    {
        var builder = string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new SqliteConnectionStringBuilder
            {
                DataSource = Path.GetFullPath(Path.Combine(options.DataDirectory, "procurement.db")),
            }
            : new SqliteConnectionStringBuilder(options.ConnectionString);
        builder.Pooling = true;
        builder.ForeignKeys = true;
        builder.DefaultTimeout = 30;
        ConnectionString = builder.ToString();
        Location = builder.DataSource;
        _synchronous = options.SqliteSynchronous;
        _cacheKiB = options.SqliteCacheMiB * 1024;
        CreateOwnerOnly(Location);
    }

    /// <summary>
    /// Creates the data folder and an empty database file readable by the owner only, before
    /// SQLite opens it: SQLite gives its -wal and -shm files the database file's permissions.
    /// Files that exist keep theirs.
    /// </summary>
    private static void CreateOwnerOnly(string location)
    {
        var folder = Path.GetDirectoryName(location);
        if (OperatingSystem.IsWindows() || location.StartsWith(':') || location.Contains("mode=memory", StringComparison.OrdinalIgnoreCase))
        {
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }
            return;
        }
        if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        if (!File.Exists(location))
        {
            try
            {
                using var _ = new FileStream(location, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
            }
            catch (IOException) when (File.Exists(location))
            {
                // Another silo on the same folder created it first.
            }
        }
    }

    public override string Name => StoreProviders.Sqlite;

    public override string ScriptFolder => "sqlite";

    public override string ConnectionString { get; }

    public override string Location { get; }

    public override DialectStatements Statements { get; } = new SqliteStatements();

    public override int WriterCount => 1;

    public override DbConnection CreateConnection() => new SqliteConnection(ConnectionString);

    public override bool PrefersMultiRowInsert => false;

    public override bool SynchronousDriver => true;

    // Durability, the statement journal in memory (it is written for every statement inside a
    // savepoint) and the page cache for the growing indexes (Store:SqliteCacheMiB, 64 MiB by
    // default) matter to writers only; readers skip the extra round of PRAGMAs.
    public override async Task<DbConnection> OpenForWriteAsync(CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA synchronous = {_synchronous}; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -{_cacheKiB};";
        await command.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    // BEGIN IMMEDIATE: take the write lock at the start, so a second process on the same file waits
    // for it instead of failing half-way with SQLITE_BUSY.
    public override ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    // Write-ahead logging lets readers run beside the writer; the mode is stored in the file.
    internal override void Prepare()
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        command.ExecuteNonQuery();
    }

    internal override UpgradeEngineBuilder MigrationTarget() => DeployChanges.To.SqliteDatabase(ConnectionString);
}

public sealed class PostgresDialect(string connectionString) : SqlDialect
{
    private readonly NpgsqlDataSource _dataSource = CreateDataSource(connectionString);

    /// <summary>
    /// Two defaults for the store's own pool, each unless the connection string sets it: a statement
    /// run a few times on a pooled connection is prepared there (<c>Max Auto Prepare</c>: parsed and
    /// planned once, where the store runs the same few statements thousands of times), and a
    /// connection going back to the pool is not reset (<c>No Reset On Close</c>: with prepared
    /// statements the reset is seven statements for the server at every return, about one return per
    /// bid; the store leaves no session state behind, its one session lock is on a connection outside
    /// the pool).
    /// </summary>
    private static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        // Npgsql's own builder reports every keyword it knows as present: ask a plain one what was written.
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!given.Contains("MaxAutoPrepare"))
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        }
        if (!given.Contains("NoResetOnClose"))
        {
            builder.ConnectionStringBuilder.NoResetOnClose = true;
        }
        return builder.Build();
    }

    public override string Name => StoreProviders.PostgreSql;

    public override string ScriptFolder => "postgresql";

    public override string ConnectionString { get; } = connectionString;

    public override string Location
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
            return $"postgresql://{builder.Host}:{builder.Port}/{builder.Database}";
        }
    }

    public override DialectStatements Statements { get; } = new PostgresStatements();

    public override int WriterCount => 4;

    // timestamptz keeps whole microseconds; a .NET instant has tenths of one.
    public override DateTimeOffset KeptInstant(DateTimeOffset instant)
    {
        var ticks = instant.UtcTicks;
        return new DateTimeOffset(ticks - ticks % TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);
    }

    public override DbConnection CreateConnection() => _dataSource.CreateConnection();

    internal override UpgradeEngineBuilder MigrationTarget()
    {
        EnsureDatabase.For.PostgresqlDatabase(ConnectionString);
        return DeployChanges.To.PostgresqlDatabase(ConnectionString);
    }

    /// <summary>
    /// A session advisory lock in the server's maintenance database (the target may not exist yet),
    /// keyed by the target database's name. Without access to that database the migration runs
    /// unguarded, as before: start one silo first then.
    /// </summary>
    internal override IDisposable? LockForMigration()
    {
        var target = new NpgsqlConnectionStringBuilder(ConnectionString);
        var key = MigrationLockKey(target.Database ?? "");
        var maintenance = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false };
        var connection = new NpgsqlConnection(maintenance.ToString());
        try
        {
            connection.Open();
            using var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection);
            command.Parameters.AddWithValue("key", key);
            command.ExecuteNonQuery();
            return new MigrationLock(connection, key);
        }
        catch (NpgsqlException)
        {
            connection.Dispose();
            return null;
        }
    }

    // FNV-1a over the name: the same key in every process, whatever the runtime's string hashing.
    private static long MigrationLockKey(string database)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes($"procurement-migrate:{database}"))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        return unchecked((long)hash);
    }

    private sealed class MigrationLock(NpgsqlConnection connection, long key) : IDisposable
    {
        public void Dispose()
        {
            using (var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection))
            {
                command.Parameters.AddWithValue("key", key);
                command.ExecuteNonQuery();
            }
            connection.Dispose();
        }
    }
}
