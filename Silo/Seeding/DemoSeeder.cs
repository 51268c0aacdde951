using Dapper;
using Microsoft.Extensions.Options;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Hosting;
using Procurement.Grains.Storage;

namespace Procurement.Silo.Seeding;

/// <summary>
/// On an empty store, creates a demonstration round through the grains (so every record is
/// validated and has its events): one alliance of five provinces, hospitals, manufacturers with an
/// affiliated pair, five real molecules, and a batch open for volume reporting.
/// </summary>
public sealed class DemoSeeder(
    IGrainFactory grains,
    ProcurementStore store,
    IOptions<DemoSeedOptions> options,
    IHostApplicationLifetime lifetime,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock,
    ILogger<DemoSeeder> logger) : IHostedService
{
    public const string AllianceId = "ALLIANCE-NORTH";
    public const string BatchId = "DEMO-2026-01";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Seed)
        {
            lifetime.ApplicationStarted.Register(() => _ = SeedLoggedAsync());
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task SeedLoggedAsync()
    {
        try
        {
            var alliances = await store.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM alliances"));
            if (alliances > 0)
            {
                await LogExistingLoginsAsync();
                return;
            }
            await SeedAsync();
            var password = string.IsNullOrEmpty(options.Value.Password)
                ? Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)).Replace('/', 'x').Replace('+', 'y')
                : options.Value.Password;
            foreach (var (user, name, kind, organisation) in DemoUsers)
            {
                await grains.GetGrain<IAccountGrain>(user).CreateAsync(name, kind, organisation, password);
            }
            // One block, so that a newcomer finds every login together near the top of the console.
            logger.LogInformation("Demo logins, one per role (password {Password}):{Logins}", password, LoginTable(DemoUsers));
            logger.LogInformation("Demo seed: alliance {Alliance}, batch {Batch} open for volume reporting.", AllianceId, BatchId);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Demo seed failed.");
        }
    }

    /// <summary>On a store seeded before: the demo user names still there (the password is not kept anywhere it could be read back).</summary>
    private async Task LogExistingLoginsAsync()
    {
        var existing = new List<(string User, string Name, OrganisationKind Kind, string Organisation)>();
        foreach (var demo in DemoUsers)
        {
            if (await grains.GetGrain<IAccountGrain>(demo.User).GetAsync() is not null)
            {
                existing.Add(demo);
            }
        }
        if (existing.Count == 0)
        {
            logger.LogInformation("Demo seed skipped: the store already holds data.");
            return;
        }
        logger.LogInformation(
            "Demo seed skipped: the store already holds data. Demo logins (password as printed when this store was seeded, or Demo:Password if set then):{Logins}",
            LoginTable(existing));
    }

    private static string LoginTable(IEnumerable<(string User, string Name, OrganisationKind Kind, string Organisation)> users) =>
        string.Concat(users.Select(u => $"{Environment.NewLine}  {u.User,-18} {u.Kind} {u.Organisation}: {u.Name}"));

    /// <summary>One user of each kind (a second manufacturer and alliance, to see that each stays in its own lane), and the platform operator.</summary>
    public static readonly (string User, string Name, OrganisationKind Kind, string Organisation)[] DemoUsers =
    [
        ("alliance.admin", "North China alliance administrator", OrganisationKind.Alliance, AllianceId),
        ("hospital.bj1", "Beijing People's Hospital No. 1 pharmacy", OrganisationKind.Hospital, "H-BJ-001"),
        ("maker.huahai", "Huahai tender desk", OrganisationKind.Manufacturer, "M-HUAHAI"),
        ("maker.qilu", "Qilu tender desk", OrganisationKind.Manufacturer, "M-QILU"),
        ("alliance.south", "South China alliance administrator", OrganisationKind.Alliance, SouthAllianceId),
        // The platform operator: the cluster dashboard, which spans every alliance, and no business data.
        ("platform.operator", "Platform operator", OrganisationKind.Operator, UserAccount.PlatformOrganisation),
    ];

    /// <summary>A second alliance, so that each alliance's administrators see only their own batches.</summary>
    public const string SouthAllianceId = "ALLIANCE-SOUTH";

    private static readonly Region[] Regions =
    [
        new("BJ", "Beijing"), new("TJ", "Tianjin"), new("HE", "Hebei"), new("SX", "Shanxi"), new("NM", "Inner Mongolia"),
    ];

    private static readonly Product[] Products =
    [
        new("ATORVASTATIN-TAB", "Atorvastatin calcium", "Tablet", new("20mgx7", 7, 20m), [new("20mgx14", 14, 20m), new("10mgx7", 7, 10m)]),
        new("AMLODIPINE-TAB", "Amlodipine besylate", "Tablet", new("5mgx28", 28, 5m), [new("5mgx7", 7, 5m), new("10mgx14", 14, 10m)]),
        new("METFORMIN-TAB", "Metformin hydrochloride", "Tablet", new("500mgx20", 20, 500m), [new("500mgx60", 60, 500m), new("850mgx30", 30, 850m)]),
        new("MONTELUKAST-TAB", "Montelukast sodium", "Tablet", new("10mgx5", 5, 10m), [new("10mgx10", 10, 10m)]),
        new("ENTECAVIR-TAB", "Entecavir", "Tablet", new("0.5mgx7", 7, 0.5m), [new("0.5mgx28", 28, 0.5m), new("1mgx7", 7, 1m)]),
    ];

    private static readonly decimal[] MaxUnitPrices = [0.5m, 0.2m, 0.06m, 1.2m, 1.8m];

    private static readonly Manufacturer[] Manufacturers =
    [
        new("M-HUAHAI", "Zhejiang Huahai Pharmaceutical", null),
        new("M-QILU", "Qilu Pharmaceutical", null),
        new("M-CSPC", "CSPC Pharmaceutical Group", "G-CSPC"),
        new("M-CSPC-OUYI", "CSPC Ouyi Pharmaceutical", "G-CSPC"),
        new("M-KELUN", "Sichuan Kelun Pharmaceutical", null),
        new("M-HENGRUI", "Jiangsu Hengrui Pharmaceuticals", null),
    ];

    private async Task SeedAsync()
    {
        await grains.GetGrain<IAllianceGrain>(AllianceId).RegisterAsync(new Alliance(AllianceId, "North China Purchasing Alliance", Regions));
        await grains.GetGrain<IAllianceGrain>(SouthAllianceId).RegisterAsync(new Alliance(SouthAllianceId, "South China Purchasing Alliance", [new("GD", "Guangdong")]));
        foreach (var product in Products)
        {
            await grains.GetGrain<IProductGrain>(product.Id).RegisterAsync(product);
        }
        foreach (var manufacturer in Manufacturers)
        {
            var bidder = grains.GetGrain<IBidderGrain>(manufacturer.Id);
            await bidder.RegisterAsync(manufacturer);
            foreach (var product in Products)
            {
                await bidder.DeclareQualificationAsync(new Qualification(product.Id, true, 5, false, $"GMP-{manufacturer.Id}"));
            }
        }
        var hospitalIds = new List<string>();
        foreach (var region in Regions)
        {
            for (var n = 1; n <= 3; n++)
            {
                var id = $"H-{region.Code}-{n:000}";
                var hospital = grains.GetGrain<IHospitalGrain>(id);
                await hospital.RegisterAsync(new Hospital(id, $"{region.Name} People's Hospital No. {n}", region.Code));
                await hospital.SetUsageHistoryAsync(Products.Select((p, i) => new UsageHistory(p.Id, 100_000L * (i + 1) * n)).ToList());
                hospitalIds.Add(id);
            }
        }
        var now = clock.GetUtcNow();
        var batch = grains.GetGrain<ITenderBatchGrain>(BatchId);
        await batch.ConfigureAsync(new TenderBatchDefinition(
            AllianceId,
            "North China alliance, batch 2026-1",
            Products.Select((p, i) => new BatchProduct(p.Id, MaxUnitPrices[i])).ToList(),
            Regions.Select(r => r.Code).ToList(),
            hospitalIds,
            new RuleSetChoice(RuleSetNames.Round11, new Dictionary<string, string>(), PriceConversion.National),
            new TenderWindows(now.AddDays(14), now.AddDays(30), now.AddDays(30), 7),
            24));
        await batch.OpenVolumeReportingAsync();
    }
}
