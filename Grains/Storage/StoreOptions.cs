using Microsoft.Extensions.Options;

namespace Procurement.Grains.Storage;

/// <summary>Where the system of record lives. Bound from the <c>Store</c> configuration section.</summary>
public sealed class StoreOptions
{
    public const string Section = "Store";

    /// <summary><c>sqlite</c> (default), <c>postgresql</c> or <c>sqlserver</c>.</summary>
    public string Provider { get; set; } = StoreProviders.Sqlite;

    /// <summary>
    /// The ADO.NET connection string. For SQLite it may be left empty: the database is then
    /// <c>procurement.db</c> in <see cref="DataDirectory"/>.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>The folder for the SQLite file when no connection string is given.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// SQLite's <c>synchronous</c> setting: <c>FULL</c> (default) makes every acknowledged write
    /// survive a power loss; <c>NORMAL</c> survives a process crash only.
    /// </summary>
    public string SqliteSynchronous { get; set; } = "FULL";

    /// <summary>
    /// The SQLite writer's page cache in MiB (64 by default, 2 to 16384). Rows under keys that do not
    /// arrive in order need their index pages in the cache; a larger cache keeps more of a large
    /// table's indexes in memory, at that much memory per writer connection.
    /// </summary>
    public int SqliteCacheMiB { get; set; } = 64;

    /// <summary>How many units of work one commit may carry (group commit).</summary>
    public int MaxBatchSize { get; set; } = 512;
}

public static class StoreProviders
{
    public const string Sqlite = "sqlite";
    public const string PostgreSql = "postgresql";
    public const string SqlServer = "sqlserver";
}

public sealed class StoreOptionsValidator : IValidateOptions<StoreOptions>
{
    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        var failures = new List<string>();
        if (options.Provider is not (StoreProviders.Sqlite or StoreProviders.PostgreSql or StoreProviders.SqlServer))
        {
            failures.Add($"Store:Provider must be '{StoreProviders.Sqlite}', '{StoreProviders.PostgreSql}' or '{StoreProviders.SqlServer}', not '{options.Provider}'.");
        }
        if (options.Provider is StoreProviders.PostgreSql or StoreProviders.SqlServer && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add($"Store:ConnectionString (or ConnectionStrings:Procurement) is required when Store:Provider is '{options.Provider}'.");
        }
        if (options.Provider == StoreProviders.Sqlite && string.IsNullOrWhiteSpace(options.ConnectionString)
            && string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("Store:DataDirectory must name a folder when Store:ConnectionString is empty.");
        }
        if (options.SqliteSynchronous is not ("FULL" or "NORMAL" or "EXTRA"))
        {
            failures.Add($"Store:SqliteSynchronous must be FULL, NORMAL or EXTRA, not '{options.SqliteSynchronous}'.");
        }
        if (options.SqliteCacheMiB is < 2 or > 16_384)
        {
            failures.Add($"Store:SqliteCacheMiB must be between 2 and 16384, not {options.SqliteCacheMiB}.");
        }
        if (options.MaxBatchSize is < 1 or > 10_000)
        {
            failures.Add($"Store:MaxBatchSize must be between 1 and 10000, not {options.MaxBatchSize}.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
