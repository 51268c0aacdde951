using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Optimizer.RuleSets;

namespace Procurement.Tests.Infrastructure;

/// <summary>
/// A small round of its own (ids carry a unique tag, so scenarios share a database without
/// touching each other): two regions, three hospitals, three manufacturers (two affiliated), two
/// products with a second specification each.
/// </summary>
public sealed class Scenario(IGrainFactory grains, TimeProvider clock)
{
    public string Tag { get; } = Guid.NewGuid().ToString("N")[..8];

    public string AllianceId => $"A-{Tag}";

    public string BatchId => $"B-{Tag}";

    public string RegionA => $"RA-{Tag}";

    public string RegionB => $"RB-{Tag}";

    public string Hospital1 => $"H1-{Tag}";

    public string Hospital2 => $"H2-{Tag}";

    /// <summary>A registered hospital of region A that the batch leaves out.</summary>
    public string OutsideHospital => $"H9-{Tag}";

    public string Atorvastatin => $"ATV-{Tag}";

    public string Amlodipine => $"AML-{Tag}";

    public string Maker1 => $"M1-{Tag}";

    public string Maker2 => $"M2-{Tag}";

    public string Maker3 => $"M3-{Tag}";

    public TenderWindows Windows { get; private set; } = null!;

    public ITenderBatchGrain Batch => grains.GetGrain<ITenderBatchGrain>(BatchId);

    public IHospitalGrain Hospital(string id) => grains.GetGrain<IHospitalGrain>(id);

    public IBidderGrain Bidder(string id) => grains.GetGrain<IBidderGrain>(id);

    public async Task RegisterAsync()
    {
        await grains.GetGrain<IAllianceGrain>(AllianceId).RegisterAsync(
            new Alliance(AllianceId, "Test alliance", [new Region(RegionA, "Region A"), new Region(RegionB, "Region B")]));
        await grains.GetGrain<IProductGrain>(Atorvastatin).RegisterAsync(
            new Product(Atorvastatin, "Atorvastatin calcium", "Tablet", new Specification("20mgx7", 7, 20m), [new Specification("20mgx14", 14, 20m)]));
        await grains.GetGrain<IProductGrain>(Amlodipine).RegisterAsync(
            new Product(Amlodipine, "Amlodipine besylate", "Tablet", new Specification("5mgx28", 28, 5m), [new Specification("10mgx28", 28, 10m)]));
        await Hospital(Hospital1).RegisterAsync(new Hospital(Hospital1, "Hospital one", RegionA));
        await Hospital(Hospital2).RegisterAsync(new Hospital(Hospital2, "Hospital two", RegionB));
        await Hospital(OutsideHospital).RegisterAsync(new Hospital(OutsideHospital, "Hospital nine", RegionA));
        await Bidder(Maker1).RegisterAsync(new Manufacturer(Maker1, "Maker one", null));
        await Bidder(Maker2).RegisterAsync(new Manufacturer(Maker2, "Maker two", $"G-{Tag}"));
        await Bidder(Maker3).RegisterAsync(new Manufacturer(Maker3, "Maker three", $"G-{Tag}"));
        foreach (var maker in new[] { Maker1, Maker2, Maker3 })
        {
            foreach (var product in new[] { Atorvastatin, Amlodipine })
            {
                await Bidder(maker).DeclareQualificationAsync(new Qualification(product, true, 3, false, "GMP-OK"));
            }
        }
    }

    /// <summary>
    /// The first instant the opening is due in these windows: the opening time equals the deadline,
    /// and a bid received exactly at the deadline is on time, so the opening comes just after it.
    /// </summary>
    public DateTimeOffset OpeningDue => Windows.OpeningTime.AddMilliseconds(1);

    public TenderBatchDefinition Definition()
    {
        var now = clock.GetUtcNow();
        Windows = new TenderWindows(now.AddDays(1), now.AddDays(2), now.AddDays(2), 7);
        return new TenderBatchDefinition(
            AllianceId,
            $"Test batch {Tag}",
            [new BatchProduct(Atorvastatin, 0.5m), new BatchProduct(Amlodipine, 0.2m)],
            [RegionA, RegionB],
            [Hospital1, Hospital2],
            new RuleSetChoice(RuleSetCatalog.Round11, new Dictionary<string, string>(), PriceConversion.National),
            Windows,
            24);
    }

    /// <summary>Registers everything and takes the batch to volume reporting.</summary>
    public async Task OpenReportingAsync(OpeningCommittee? committee = null)
    {
        await RegisterAsync();
        await Batch.ConfigureAsync(Definition() with { OpeningCommittee = committee });
        await Batch.OpenVolumeReportingAsync();
    }

    /// <summary>Takes the batch through reporting (two hospitals report) into bidding.</summary>
    public async Task OpenBiddingAsync(OpeningCommittee? committee = null)
    {
        await OpenReportingAsync(committee);
        await Hospital(Hospital1).SubmitVolumeReportsAsync(BatchId, [new VolumeReportLine(Atorvastatin, 70_000, null, null), new VolumeReportLine(Amlodipine, 28_000, null, null)]);
        await Hospital(Hospital2).SubmitVolumeReportsAsync(BatchId, [new VolumeReportLine(Atorvastatin, 30_000, Maker1, null)]);
        await Batch.CloseVolumeReportingAsync();
        await Batch.OpenBiddingAsync();
    }

    /// <summary>
    /// Bids (Maker1 and Maker2 for atorvastatin, Maker1 for amlodipine), the opening, a
    /// cost-optimal award, publicity and finalising with agreements from <paramref name="agreementsStart"/>;
    /// the business clock is moved to the opening and to the end of publicity.
    /// </summary>
    public async Task AwardAndFinaliseAsync(Microsoft.Extensions.Time.Testing.FakeTimeProvider fake, DateOnly? agreementsStart = null)
    {
        await OpenBiddingAsync();
        await Bidder(Maker1).SubmitBidAsync("a1", Bid(Atorvastatin, 2.80m));
        await Bidder(Maker2).SubmitBidAsync("a2", Bid(Atorvastatin, 3.08m));
        await Bidder(Maker1).SubmitBidAsync("b1", Bid(Amlodipine, 2.80m));
        fake.SetUtcNow(OpeningDue);
        await Batch.OpenBidsAsync();
        await Batch.RunAwardAsync(new AwardRequest("cost-optimal", new Dictionary<string, decimal> { [RegionA] = 1_000_000m, [RegionB] = 1_000_000m }, 5));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var view = await Batch.GetAsync();
        while (view.Phase != TenderBatchPhase.Publicity)
        {
            if (view.AwardStatus?.StartsWith("failed", StringComparison.Ordinal) == true || watch.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException($"The award did not reach publicity: {view.Phase}, {view.AwardStatus}");
            }
            await Task.Delay(50);
            view = await Batch.GetAsync();
        }
        fake.SetUtcNow(view.PublicityEnds!.Value);
        await Batch.FinaliseAsync(agreementsStart);
    }

    /// <summary>
    /// Waits for the award <paramref name="batch"/> runs to end (at most 60 s): the batch's view once
    /// it has left <see cref="TenderBatchPhase.Opened"/> or its award has failed.
    /// </summary>
    public static async Task<TenderBatchView> AwaitAwardAsync(ITenderBatchGrain batch)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var view = await batch.GetAsync();
        while (view.Phase == TenderBatchPhase.Opened && view.AwardStatus is not null && !view.AwardStatus.StartsWith("failed", StringComparison.Ordinal))
        {
            Xunit.Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"The award did not finish: {view.AwardStatus}");
            await Task.Delay(50);
            view = await batch.GetAsync();
        }
        return view;
    }

    public BidContent Bid(string product, decimal price, string? spec = null, long capacity = 1_000_000, IReadOnlyList<string>? regions = null) =>
        new(BatchId, product, spec ?? (product == Atorvastatin ? "20mgx7" : "5mgx28"), price, capacity, regions ?? [RegionA, RegionB]);
}
