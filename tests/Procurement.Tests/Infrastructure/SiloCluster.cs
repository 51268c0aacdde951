using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Orleans.Hosting;
using Procurement.Grains.Agreements;
using Procurement.Grains.Hosting;
using Procurement.Grains.Sealing;
using Procurement.Grains.Storage;

namespace Procurement.Tests.Infrastructure;

/// <summary>
/// An in-process Orleans cluster of one silo over a real database. The business clock is the one
/// given (a FakeTimeProvider in most tests); Orleans itself keeps real time.
/// </summary>
public sealed class SiloCluster : IAsyncDisposable
{
    private readonly InProcessTestCluster _cluster;

    private SiloCluster(InProcessTestCluster cluster, StoreOptions store)
    {
        _cluster = cluster;
        Store = store;
    }

    public StoreOptions Store { get; }

    /// <summary>Every line the silo logged.</summary>
    public LogCapture Logs { get; private init; } = new();

    /// <summary>
    /// The key-encryption key of the tests' in-process silos: one file for the test run, outside
    /// every database, as Sealing:KeyFile names it in production.
    /// </summary>
    public static string KeyFile { get; } = CreateKeyFile();

    private static string CreateKeyFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"procurement-kek-{Guid.NewGuid():N}.key");
        File.WriteAllText(path, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        return path;
    }

    public IClusterClient Client => _cluster.Client;

    /// <summary>
    /// The silo's own grain factory: calls made through it are what a portal co-hosted in the silo
    /// makes (the default deployment), without the client gateway's network hop.
    /// </summary>
    public IGrainFactory SiloGrainFactory => _cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainFactory>();

    /// <summary>The silo's services (repositories, options), for benchmarks that time a repository alone.</summary>
    public IServiceProvider SiloServices => _cluster.Silos[0].ServiceProvider;

    /// <summary>The silo's own store, for reading the tables directly in assertions.</summary>
    public ProcurementStore Database => _cluster.Silos[0].ServiceProvider.GetRequiredService<ProcurementStore>();

    public static async Task<SiloCluster> StartAsync(StoreOptions store, TimeProvider clock, string serviceId = "procurement-tests", Action<IServiceCollection>? services = null)
    {
        var logs = new LogCapture();
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = serviceId;
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddProcurement(clock);
            silo.Services.Configure<StoreOptions>(store.CopyTo);
            silo.Services.Configure<SealingOptions>(o => o.KeyFile = KeyFile);
            // The agreement clock looks every second (real time) at the business clock the tests move.
            silo.Services.Configure<AgreementOptions>(o => o.CheckPeriod = TimeSpan.FromSeconds(1));
            silo.Services.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            // The order clock too.
            silo.Services.Configure<Procurement.Grains.Orders.OrderOptions>(o => o.ClockPeriod = TimeSpan.FromSeconds(1));
            silo.Services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider, FileErrorLog>();
            silo.Services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs);
            services?.Invoke(silo.Services);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new SiloCluster(cluster, store) { Logs = logs };
    }

    public async ValueTask DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }
}
