using Procurement.Grains.Storage;

namespace Procurement.Silo.Audit;

/// <summary>
/// <c>verify-events</c>: checks a store's event chain offline, without starting Orleans or
/// migrating anything (README, "Audit"; docs/SECURITY.md). The store is chosen as the silo
/// chooses it (<c>Store:Provider</c>, <c>Store:ConnectionString</c> or
/// <c>ConnectionStrings:Procurement</c>, <c>Store:DataDirectory</c>: appsettings.json, environment,
/// command line); <c>--anchor eventId:hash</c>, repeatable, names published heads that must still
/// be in the chain. Exit code 0: intact; 1: broken (the first broken link is printed); 2: the store
/// or the arguments could not be used.
/// </summary>
public static class VerifyEventsCommand
{
    public const string Name = "verify-events";

    public const int Intact = 0;

    public const int Broken = 1;

    public const int Unusable = 2;

    public static bool IsInvoked(string[] args) => args.Length > 0 && string.Equals(args[0], Name, StringComparison.Ordinal);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var anchors = new List<ChainAnchor>();
        var settings = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var (flag, inline) = args[i].Split('=', 2) is [var f, var v] ? (f, v) : (args[i], null);
            if (flag != "--anchor")
            {
                settings.Add(args[i]);
                continue;
            }
            var text = inline ?? (i + 1 < args.Length ? args[++i] : "");
            if (!ChainAnchor.TryParse(text, out var anchor))
            {
                await error.WriteLineAsync($"--anchor '{text}' is not eventId:hash (a decimal event id, a colon and 64 hex digits).");
                return Unusable;
            }
            anchors.Add(anchor!);
        }

        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(settings.ToArray())
            .Build();
        var options = configuration.GetSection(StoreOptions.Section).Get<StoreOptions>() ?? new StoreOptions();
        options.ConnectionString ??= configuration.GetConnectionString("Procurement");
        var validation = new StoreOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            await error.WriteLineAsync(validation.FailureMessage);
            return Unusable;
        }

        try
        {
            // Looked for before the dialect is made: it would create a missing folder, and opening
            // a missing file would create an empty database.
            if (options.Provider == StoreProviders.Sqlite && SqliteFile(options) is { } file && !File.Exists(file))
            {
                await error.WriteLineAsync($"No SQLite store at {file} (Store:DataDirectory or Store:ConnectionString).");
                return Unusable;
            }
            DapperSetup.EnsureConfigured();
            var dialect = SqlDialect.Create(options);
            await output.WriteLineAsync($"Event chain of the {dialect.Name} store at {dialect.Location}");
            await using var connection = await dialect.OpenAsync();
            var result = await AuditVerifier.VerifyAsync(connection, null, anchors);
            await output.WriteLineAsync(result.Head is { } head
                ? $"HEAD: event {head.EventId} (chain place {head.Length}) {head.Hash}"
                : "HEAD: none (no event verified)");
            await output.WriteLineAsync(result.StoredHead is { } recorded
                ? $"RECORDED HEAD: event {recorded.EventId} (chain place {recorded.Length}) {recorded.Hash}"
                : "RECORDED HEAD: none");
            if (anchors.Count > 0)
            {
                await output.WriteLineAsync($"PUBLISHED HEADS CHECKED: {anchors.Count}");
            }
            if (result.FirstBreak is { } broken)
            {
                var place = broken.Seq is { } seq ? $" (chain place {seq})" : "";
                await output.WriteLineAsync($"BROKEN: first broken link at event {broken.EventId}{place}: {broken.Reason}");
                return Broken;
            }
            await output.WriteLineAsync("OK: every link holds" + (anchors.Count > 0 ? " and every published head is in the chain." : "."));
            return Intact;
        }
        catch (System.Data.Common.DbException ex)
        {
            await error.WriteLineAsync($"Cannot read the event chain: {ex.Message} (is the store migrated to 0009?)");
            return Unusable;
        }
    }

    /// <summary>The SQLite file the store options name, as <see cref="SqliteDialect"/> finds it; null for an in-memory database.</summary>
    private static string? SqliteFile(StoreOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return Path.GetFullPath(Path.Combine(options.DataDirectory, "procurement.db"));
        }
        var source = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(options.ConnectionString).DataSource;
        return string.IsNullOrEmpty(source) || source == ":memory:" ? null : Path.GetFullPath(source);
    }
}
