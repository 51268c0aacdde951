using Dapper;
using Microsoft.Extensions.Options;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Procurement.Grains.Hosting;
using Procurement.Grains.Storage;

namespace Procurement.Silo.Seeding;

/// <summary>
/// On an empty store, seeds a living demonstration through the grains, the same paths users take
/// (so every record is validated and has its events), in four stories:
/// <list type="number">
/// <item>an earlier round (<see cref="AwardedBatchId"/>), awarded and final, its agreements begun
/// about nine months ago, with months of orders, deliveries, invoices and payments on the platform
/// (one hospital well behind, so it is flagged; one paying late; one supplier falling behind), hospital
/// scores for retained savings, and one supply failure taken over by the spare;</item>
/// <item>a batch in bidding (<see cref="BiddingBatchId"/>) with sealed bids from several
/// manufacturers, its deadline 20 minutes and its opening 25 minutes after the start, so a newcomer
/// sees the opening happen and runs the award;</item>
/// <item>a batch in volume reporting (<see cref="BatchId"/>) with part of the hospitals reported;</item>
/// <item>an older round (<see cref="ExpiringBatchId"/>) whose agreements end in about three months:
/// Expiring, with its notices, ready for renewal;</item>
/// <item>a coronary stent batch (<see cref="StentBatchId"/>, consumables, <c>stents2020</c>):
/// brand intentions, sealed bids, opening, award, publicity with an objection answered, agreements
/// begun three months ago, with their months of orders, deliveries, acceptance, invoices and payments;</item>
/// <item>a joint-system batch (<see cref="JointBatchId"/>, hip and knee systems with component
/// prices, <c>joints2021</c>) opened and awarded two days ago, in publicity.</item>
/// <item>a small hip-system batch (<see cref="HipSystemBatchId"/>, <c>joints2021</c>) finalised a
/// month before the stents, its systems bought since and one hospital buying cups separately.</item>
/// </list>
/// The earlier rounds are replayed on the business clock set back (<see cref="IDemoClockControl"/>),
/// which returns to the present for good when the seed is done; without such a clock only stories
/// 2 and 3 are seeded (5 to 7 need the clock set back as much as 1 and 4 do). The logins are printed as soon as the accounts exist, before the stories.
/// </summary>
public sealed class DemoSeeder(
    IGrainFactory grains,
    ProcurementStore store,
    IOptions<DemoSeedOptions> options,
    IOptions<AgreementOptions> agreementOptions,
    IHostApplicationLifetime lifetime,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock,
    ILogger<DemoSeeder> logger) : IHostedService
{
    public const string AllianceId = DemoCatalogue.AllianceId;
    public const string SouthAllianceId = DemoCatalogue.SouthAllianceId;

    /// <summary>Story 3: open for volume reporting.</summary>
    public const string BatchId = "DEMO-2026-01";

    /// <summary>Story 2: in bidding, opening within the first half hour.</summary>
    public const string BiddingBatchId = "DEMO-2026-02";

    /// <summary>Story 1: awarded, agreements nine months under way.</summary>
    public const string AwardedBatchId = "DEMO-2025-02";

    /// <summary>Story 4: agreements ending in about three months, ready for renewal.</summary>
    public const string ExpiringBatchId = "DEMO-2025-01";

    /// <summary>Story 5: a consumables batch of drug-eluting stents, awarded and final, agreements three months under way.</summary>
    public const string StentBatchId = "DEMO-STENTS";

    /// <summary>Story 7: a small consumables batch of hip systems, awarded and final, agreements four months under way (components bought separately).</summary>
    public const string HipSystemBatchId = "DEMO-HIPS";

    /// <summary>Story 6: a consumables batch of hip and knee systems in publicity.</summary>
    public const string JointBatchId = "DEMO-JOINTS";

    /// <summary>Story 2's bidding deadline and opening, after the seed starts.</summary>
    public static readonly TimeSpan BiddingDeadlineAfterStart = TimeSpan.FromMinutes(20);

    public static readonly TimeSpan OpeningAfterStart = TimeSpan.FromMinutes(25);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Seed)
        {
            lifetime.ApplicationStarted.Register(() => _ = SeedLoggedAsync());
        }
        else
        {
            (clock as IDemoClockControl)?.ReturnToPresent();
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task SeedLoggedAsync()
    {
        var control = clock as IDemoClockControl;
        try
        {
            var alliances = await store.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM alliances"));
            if (alliances > 0)
            {
                control?.ReturnToPresent();
                await LogExistingLoginsAsync();
                return;
            }
            var present = clock.GetUtcNow();
            await RegisterReferenceDataAsync();
            var password = string.IsNullOrEmpty(options.Value.Password)
                ? Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)).Replace('/', 'x').Replace('+', 'y')
                : options.Value.Password;
            foreach (var (user, name, kind, organisation) in DemoUsers)
            {
                await grains.GetGrain<IAccountGrain>(user).CreateAsync(name, kind, organisation, password);
            }
            // One block, so that a newcomer finds every login together near the top of the console.
            logger.LogInformation("Demo logins, one per role (password {Password}):{Logins}", password, LoginTable(DemoUsers));

            var stories = new DemoStories(grains, clock, agreementOptions.Value.Zone(), present);
            if (control is not null)
            {
                logger.LogInformation("Demo seed: replaying earlier rounds (two of drugs, three of consumables) on the business clock set back (about half a minute)...");
                await stories.EarlierRoundsAsync(control, ExpiringBatchId, AwardedBatchId, StentBatchId, HipSystemBatchId, JointBatchId);
                control.ReturnToPresent();
                await grains.GetGrain<ITenderBatchGrain>(ExpiringBatchId).AdvanceAgreementsAsync();
                await grains.GetGrain<ITenderBatchGrain>(AwardedBatchId).AdvanceAgreementsAsync();
                await grains.GetGrain<ITenderBatchGrain>(StentBatchId).AdvanceAgreementsAsync();
                await grains.GetGrain<ITenderBatchGrain>(HipSystemBatchId).AdvanceAgreementsAsync();
                await stories.ThisMonthAsync();
            }
            else
            {
                logger.LogInformation("Demo seed: the business clock cannot be set back; the earlier rounds are left out.");
            }
            await ImportDemoCodesAsync();
            var now = clock.GetUtcNow();
            await stories.BiddingAsync(BiddingBatchId, now + BiddingDeadlineAfterStart, now + OpeningAfterStart);
            await stories.ReportingAsync(BatchId);
            logger.LogInformation(
                "Demo seed: alliance {Alliance}; batches {Awarded} (awarded, agreements under way), {Expiring} (expiring, ready for renewal), {Bidding} (in bidding, opens at {Opening:u}), {Reporting} (volume reporting); consumables {Stents} (stents, agreements under way), {Hips} (hip systems, agreements under way, components bought separately), {Joints} (hip and knee systems, in publicity).",
                AllianceId, AwardedBatchId, ExpiringBatchId, BiddingBatchId, now + OpeningAfterStart, BatchId, StentBatchId, HipSystemBatchId, JointBatchId);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Demo seed failed.");
        }
        finally
        {
            control?.ReturnToPresent();
        }
    }

    private async Task RegisterReferenceDataAsync()
    {
        await grains.GetGrain<IAllianceGrain>(AllianceId).RegisterAsync(DemoCatalogue.North);
        await grains.GetGrain<IAllianceGrain>(SouthAllianceId).RegisterAsync(DemoCatalogue.South);
        foreach (var molecule in DemoCatalogue.All)
        {
            await grains.GetGrain<IProductGrain>(molecule.Product.Id).RegisterAsync(molecule.Product);
        }
        foreach (var manufacturer in DemoCatalogue.Manufacturers)
        {
            var bidder = grains.GetGrain<IBidderGrain>(manufacturer.Id);
            await bidder.RegisterAsync(manufacturer);
            foreach (var molecule in DemoCatalogue.All)
            {
                await bidder.DeclareQualificationAsync(new Qualification(molecule.Product.Id, true, 5, false, $"GMP-{manufacturer.Id}"));
            }
        }
        foreach (var (hospital, size) in DemoCatalogue.Hospitals())
        {
            var grain = grains.GetGrain<IHospitalGrain>(hospital.Id);
            await grain.RegisterAsync(hospital);
            await grain.SetUsageHistoryAsync(DemoCatalogue.All.Select(m => new UsageHistory(m.Product.Id, (long)(m.AnnualUse * size))).ToList());
        }
        // The consumables firms qualify per lot once their batches exist (DemoConsumableStories).
        foreach (var firm in DemoConsumables.AllFirms)
        {
            await grains.GetGrain<IBidderGrain>(firm.Id).RegisterAsync(firm);
        }
        await DemoPurchasing.RegisterDistributorAsync(grains);
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

    /// <summary>The demo's consumables products into the code master data, through the importer an alliance runs on the release files.</summary>
    private async Task ImportDemoCodesAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), $"demo-codes-{Guid.NewGuid():N}.csv");
        try
        {
            await File.WriteAllLinesAsync(path, DemoConsumables.CodeFileLines(), new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
            var result = await new Grains.Consumables.ConsumableCodeImporter(store, new Grains.Consumables.ConsumableImportOptions(), clock)
                .ImportAsync(path, ConsumableCodeFileKind.Codes);
            logger.LogInformation("Demo seed: {Rows} consumables codes {Outcome}.", result.Rows, result.Outcome);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string LoginTable(IEnumerable<(string User, string Name, OrganisationKind Kind, string Organisation)> users) =>
        string.Concat(users.Select(u => $"{Environment.NewLine}  {u.User,-18} {u.Kind} {u.Organisation}: {u.Name}"));

    /// <summary>One user of each kind (a second manufacturer and alliance, to see that each stays in its own lane), and the platform operator.</summary>
    public static readonly (string User, string Name, OrganisationKind Kind, string Organisation)[] DemoUsers =
    [
        ("alliance.admin", "North China alliance administrator", OrganisationKind.Alliance, AllianceId),
        ("hospital.bj1", "Beijing First People's Hospital pharmacy", OrganisationKind.Hospital, "H-BJ-001"),
        ("maker.huahai", "Huahai tender desk", OrganisationKind.Manufacturer, "M-HUAHAI"),
        ("maker.qilu", "Qilu tender desk", OrganisationKind.Manufacturer, "M-QILU"),
        // Consumables: a stent firm that won (and its agreements), a joint firm with an award in publicity.
        ("maker.microport", "MicroPort stent tender desk", OrganisationKind.Manufacturer, "M-MICROPORT"),
        ("maker.weigao", "Weigao joints tender desk", OrganisationKind.Manufacturer, "M-WEIGAO"),
        ("distributor.jt", "Jointown order desk, Beijing", OrganisationKind.Distributor, DemoPurchasing.Distributor),
        ("alliance.south", "South China alliance administrator", OrganisationKind.Alliance, SouthAllianceId),
        // The platform operator: the cluster dashboard, which spans every alliance, and no business data.
        ("platform.operator", "Platform operator", OrganisationKind.Operator, UserAccount.PlatformOrganisation),
    ];
}

/// <summary>
/// A business clock the demo seed may set back while it replays earlier rounds, and return to the
/// present when done (<see cref="DemoClock"/>; the browser tests' stepped clock).
/// </summary>
public interface IDemoClockControl
{
    void SetUtcNow(DateTimeOffset instant);

    void ReturnToPresent();
}
