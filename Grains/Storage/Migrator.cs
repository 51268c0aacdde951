using DbUp;
using DbUp.Builder;
using DbUp.Engine.Output;
using Microsoft.Extensions.Logging;

namespace Procurement.Grains.Storage;

/// <summary>
/// Brings the database to the newest schema with DbUp, from the versioned scripts in
/// <c>deploy/sql/{provider}</c> (embedded in this assembly). DbUp records what ran in its journal
/// table, so a script runs once per database.
/// </summary>
public static class Migrator
{
    public static IReadOnlyList<string> Migrate(SqlDialect dialect, ILogger logger)
    {
        using var migrationLock = dialect.LockForMigration();
        UpgradeEngineBuilder target;
        try
        {
            dialect.Prepare();
            target = dialect.MigrationTarget();
        }
        catch (System.Data.Common.DbException ex)
        {
            throw new InvalidOperationException(
                $"Cannot reach the {dialect.Name} database at {dialect.Location} (Store:ConnectionString): {ex.Message}", ex);
        }
        var prefix = $"Procurement.Grains.Scripts.{dialect.ScriptFolder}.";
        var engine = target
            .WithScriptsEmbeddedInAssembly(typeof(Migrator).Assembly, name => name.StartsWith(prefix, StringComparison.Ordinal))
            .WithTransactionPerScript()
            .LogTo(new UpgradeLog(logger))
            .Build();
        var result = engine.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException(
                $"Migrating the {dialect.Name} database at {dialect.Location} failed in script '{result.ErrorScript?.Name}': {result.Error.Message}",
                result.Error);
        }
        // Events from before migration 0009, or left unchained by a write outside the group
        // writer, are chained now, under the migration lock, before the store takes writes.
        var chained = Task.Run(() => AuditChain.SealUnchainedAsync(dialect)).GetAwaiter().GetResult();
        if (chained > 0)
        {
            logger.LogInformation("Event chain: {Count} event(s) written before it or outside the group writer chained at start.", chained);
        }
        return result.Scripts.Select(s => s.Name).ToList();
    }

    private sealed class UpgradeLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) => logger.LogTrace(format, args);

        public void LogDebug(string format, params object[] args) => logger.LogDebug(format, args);

        public void LogInformation(string format, params object[] args) => logger.LogDebug(format, args);

        public void LogWarning(string format, params object[] args) => logger.LogWarning(format, args);

        public void LogError(string format, params object[] args) => logger.LogError(format, args);

        public void LogError(Exception ex, string format, params object[] args) => logger.LogError(ex, format, args);
    }
}
