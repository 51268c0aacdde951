using Microsoft.Extensions.Options;
using Procurement.Contracts.Domain;
using Procurement.Grains.Consumables;
using Procurement.Grains.Storage;

namespace Procurement.Silo.Consumables;

/// <summary>
/// <c>import-consumable-codes --kind codes|deactivated|transcoding FILE...</c>: imports files of
/// the national consumables code master data into the store, each all or nothing, without starting
/// Orleans (README, "Commands"; docs/CONSUMABLES.md). The store is chosen and migrated as the silo
/// does it (<c>Store:*</c> settings, as <c>key=value</c> or <c>--key value</c>); the limits are
/// <c>Consumables:Import:*</c>. Prints one line per file and the errors of a refused one. Exit
/// code 0: every file imported or already imported; 1: a file was refused (the others are still
/// tried); 2: the arguments or the store could not be used.
/// </summary>
public static class ImportConsumableCodesCommand
{
    public const string Name = "import-consumable-codes";

    public const int Done = 0;

    public const int Refused = 1;

    public const int Unusable = 2;

    public static bool IsInvoked(string[] args) => args.Length > 0 && string.Equals(args[0], Name, StringComparison.Ordinal);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ConsumableCodeFileKind? kind = null;
        var files = new List<string>();
        var settings = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var (flag, inline) = args[i].Split('=', 2) is [var f, var v] ? (f, v) : (args[i], null);
            if (flag == "--kind")
            {
                var text = inline ?? (i + 1 < args.Length ? args[++i] : "");
                if (!Enum.TryParse<ConsumableCodeFileKind>(text, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                {
                    await error.WriteLineAsync($"--kind '{text}' is not codes, deactivated or transcoding.");
                    return Unusable;
                }
                kind = parsed;
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                settings.Add(args[i]);
                if (inline is null && i + 1 < args.Length)
                {
                    settings.Add(args[++i]);
                }
            }
            else if (inline is not null)
            {
                settings.Add(args[i]);
            }
            else
            {
                files.Add(args[i]);
            }
        }
        if (kind is null || files.Count == 0)
        {
            await error.WriteLineAsync($"Usage: {Name} --kind codes|deactivated|transcoding FILE... [Store:Provider=... Store:ConnectionString=...]");
            return Unusable;
        }

        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(settings.ToArray())
            .Build();
        var storeOptions = configuration.GetSection(StoreOptions.Section).Get<StoreOptions>() ?? new StoreOptions();
        storeOptions.ConnectionString ??= configuration.GetConnectionString("Procurement");
        var validation = new StoreOptionsValidator().Validate(null, storeOptions);
        if (validation.Failed)
        {
            await error.WriteLineAsync(validation.FailureMessage);
            return Unusable;
        }
        var importOptions = configuration.GetSection(ConsumableImportOptions.Section).Get<ConsumableImportOptions>() ?? new ConsumableImportOptions();
        if (importOptions.Problem() is { } problem)
        {
            await error.WriteLineAsync(problem);
            return Unusable;
        }

        // Warnings and errors only, on standard error: a database error's cause is logged there, not in the result.
        using var loggerFactory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddSimpleConsole(console => console.SingleLine = true)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
        ProcurementStore store;
        try
        {
            store = new ProcurementStore(Options.Create(storeOptions), loggerFactory);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
        {
            await error.WriteLineAsync($"Cannot open or migrate the store: {ex.Message}");
            return Unusable;
        }
        await using (store)
        {
            await output.WriteLineAsync($"Consumables code master data ({kind.Value.ToString().ToLowerInvariant()}) into the {store.Dialect.Name} store at {store.Dialect.Location}");
            var importer = new ConsumableCodeImporter(store, importOptions, TimeProvider.System);
            var exit = Done;
            foreach (var file in files)
            {
                var result = await importer.ImportAsync(file, kind.Value);
                await WriteAsync(output, result);
                if (result.Outcome == ConsumableImportOutcome.Refused)
                {
                    exit = Refused;
                }
            }
            return exit;
        }
    }

    private static async Task WriteAsync(TextWriter output, ConsumableImportResult result)
    {
        switch (result.Outcome)
        {
            case ConsumableImportOutcome.Imported:
                await output.WriteLineAsync($"IMPORTED {result.FileName}: {result.Rows:N0} rows (sha256 {result.Sha256})");
                break;
            case ConsumableImportOutcome.AlreadyImported:
                await output.WriteLineAsync($"SKIPPED {result.FileName}: imported completely before (sha256 {result.Sha256})");
                break;
            default:
                await output.WriteLineAsync($"REFUSED {result.FileName}: {result.Errors.Count + result.MoreErrors:N0} error(s); nothing written");
                foreach (var e in result.Errors)
                {
                    var where = e.Row > 0 ? $"row {e.Row}, " : "";
                    await output.WriteLineAsync($"  {where}{e.Field}: {e.Code}: {e.Message}");
                }
                if (result.MoreErrors > 0)
                {
                    await output.WriteLineAsync($"  … and {result.MoreErrors:N0} more error(s)");
                }
                break;
        }
    }
}
