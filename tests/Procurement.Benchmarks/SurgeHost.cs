using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Procurement.Benchmarks;

/// <summary>The silo program on a real Kestrel port over a fresh store, quiet, with limits far above the load.</summary>
internal sealed class SurgeHost<TEntry> : WebApplicationFactory<TEntry>
    where TEntry : class
{
    private readonly string _provider;
    private readonly string? _connectionString;
    private readonly string _dataDirectory;
    private readonly DemoSeedWatch? _seedWatch;

    public SurgeHost(string provider, string? connectionString, string dataDirectory, int port, DemoSeedWatch? seedWatch = null)
    {
        _provider = provider;
        _connectionString = connectionString;
        _dataDirectory = dataDirectory;
        _seedWatch = seedWatch;
        UseKestrel(port);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        // The factory looks for a folder named after the assembly (Procurement.Silo); the project's folder is Silo.
        builder.UseContentRoot(SiloFolder());
        builder.UseSetting("Store:Provider", _provider);
        if (_connectionString is not null)
        {
            builder.UseSetting("Store:ConnectionString", _connectionString);
        }
        builder.UseSetting("Store:DataDirectory", _dataDirectory);
        // A server store names its key-encryption key; one beside the run's data folder, made once.
        var keyFile = Path.Combine(_dataDirectory, "sealing.key");
        if (!File.Exists(keyFile))
        {
            Directory.CreateDirectory(_dataDirectory);
            File.WriteAllText(keyFile, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        }
        builder.UseSetting("Sealing:KeyFile", keyFile);
        builder.UseSetting("Demo:Seed", "true");
        builder.UseSetting("Demo:Password", SurgeCatalog.DemoPassword);
        builder.UseSetting("Orleans:SiloPort", SurgeNet.FreePort().ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Orleans:GatewayPort", SurgeNet.FreePort().ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Portal:LoginPermitsPerMinute", "1000000");
        builder.UseSetting("Portal:BidsPerSecondPerManufacturer", "1000000");
        builder.UseSetting("Portal:BidBurstPerManufacturer", "1000000");
        builder.UseSetting("Portal:OrdersPerSecondPerOrganisation", "1000000");
        builder.UseSetting("Portal:OrderBurstPerOrganisation", "1000000");
        builder.UseSetting("Portal:ReadsPerSecondPerOrganisation", "1000000");
        builder.UseSetting("Portal:ReadBurstPerOrganisation", "1000000");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft", "Warning");
        builder.UseSetting("Logging:LogLevel:Orleans", "Warning");
        builder.UseSetting("Logging:LogLevel:Procurement", "Warning");
        // Set-up hashes 2 x N passwords (PBKDF2) on two cores: turns of over a second are expected there.
        builder.UseSetting("Logging:LogLevel:Orleans.Runtime.Scheduler.WorkItemGroup", "Error");
        if (_seedWatch is not null)
        {
            // The seed's summary is information: let it through to the watch (and the console).
            builder.UseSetting($"Logging:LogLevel:{DemoSeedWatch.Category}", "Information");
            builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(_seedWatch));
        }
    }

    private static string SiloFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Procurement.sln")))
            {
                return Path.Combine(dir.FullName, "Silo");
            }
        }
        throw new DirectoryNotFoundException("Procurement.sln was not found above " + AppContext.BaseDirectory);
    }
}
