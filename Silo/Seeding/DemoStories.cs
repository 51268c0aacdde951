using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;
using Procurement.Optimizer.RuleSets;
using static Procurement.Silo.Seeding.DemoCatalogue;

namespace Procurement.Silo.Seeding;

/// <summary>
/// The demo's stories, each told through the grains as users would: the alliance configures and
/// opens a batch, hospitals report, manufacturers bid, the batch opens, the award runs, publicity
/// ends, agreements begin, hospitals report their monthly purchases. Figures are drawn from a
/// fixed seed, so every fresh demo store holds the same figures.
/// </summary>
internal sealed class DemoStories(IGrainFactory grains, TimeProvider clock, TimeZoneInfo zone, DateTimeOffset present)
{
    /// <summary>The hospital that buys well below its agreed volume: the flagged one.</summary>
    public const string LaggingHospital = "H-SX-003";

    /// <summary>Story 1's supplier that fails in the fifth month; its spare takes over.</summary>
    public const string FailingProduct = "AMLODIPINE-TAB";

    public const string FailingRegion = "HE";

    private readonly Random _random = new(20_260_101);
    private readonly IReadOnlyList<(Hospital Hospital, decimal Size)> _hospitals = Hospitals();
    private readonly Dictionary<Guid, IReadOnlyList<AgreementHospital>> _agreementHospitals = [];
    private DemoPurchasing? _purchasing;

    // The consumables' purchasing draws from its own fixed seeds, so the drug figures are what they were before it was added.
    private readonly DemoPurchasing _stentPurchasing = new(grains, new Random(20_200_801), "demo-stents", "FPS", "Cath lab");
    private readonly DemoPurchasing _hipPurchasing = new(grains, new Random(20_210_901), "demo-hips", "FPH", "Orthopaedic theatre");

    /// <summary>The hospital that buys a hip system's acetabular cup separately each month (a revision).</summary>
    public const string RevisingHospital = "H-BJ-001";

    private DemoPurchasing Purchasing => _purchasing ??= new DemoPurchasing(grains, _random);

    private ITenderBatchGrain Batch(string id) => grains.GetGrain<ITenderBatchGrain>(id);

    private IHospitalGrain Hospital(string id) => grains.GetGrain<IHospitalGrain>(id);

    /// <summary>
    /// Stories 4 and 1: a round whose 24-month agreements began 21 months ago, and one whose began
    /// 9 months ago; then every month's purchases since, month by month on the clock; stories 5 and
    /// 6 (<see cref="DemoConsumableStories"/>) in their months: a stent round whose agreements began
    /// 3 months ago, its stents ordered, delivered to the cath labs, accepted, invoiced and paid
    /// each month since as the drugs are; a small hip-system round a month earlier, its whole
    /// systems bought the same way and the demo hospital buying a cup separately each month; and a
    /// joint-system round awarded two days ago. Before the
    /// second round the hospitals declared their purchases monthly (the platform took orders only
    /// from then); from it they order on the platform, a few declaring a little bought off it, with
    /// the supply failure in story 1's fifth month, and a supplier falling behind in the last weeks;
    /// hospital scores for retained savings.
    /// </summary>
    public async Task EarlierRoundsAsync(IDemoClockControl control, string expiringId, string awardedId, string stentId, string hipId, string jointId)
    {
        var current = Months.Of(present, zone);
        var expiringStart = current - 21;
        var awardedStart = current - 9;
        var hipStart = current - 4;
        var stentStart = current - 3;
        var consumables = new DemoConsumableStories(grains, _hospitals);
        var hipSystems = new DemoConsumableStories(grains, _hospitals, seed: 20_210_705);
        await RoundAsync(control, expiringId, "North China alliance, batch 2025-1", [Metformin, Entecavir, Clopidogrel], expiringStart, RuleSetCatalog.Round10);
        for (var month = expiringStart; month < current; month++)
        {
            if (month == awardedStart - 1)
            {
                await RoundAsync(control, awardedId, "North China alliance, batch 2025-2", [Atorvastatin, Amlodipine, Montelukast], awardedStart, RuleSetCatalog.Round11);
            }
            var onPlatform = month >= awardedStart;
            if (onPlatform)
            {
                control.SetUtcNow(Months.Begins(month, zone).AddDays(4).AddHours(10));
                await Purchasing.OrderAsync([expiringId, awardedId], month, 1m, fallingBehind: month == current - 1, LaggingHospital);
                if (month >= hipStart)
                {
                    await _hipPurchasing.OrderAsync([hipId], month, 1m, fallingBehind: false, LaggingHospital);
                    await _hipPurchasing.OrderComponentAsync(RevisingHospital, DemoConsumables.Hip, "cup", 1);
                }
                if (month >= stentStart)
                {
                    await _stentPurchasing.OrderAsync([stentId], month, 1m, fallingBehind: false, LaggingHospital);
                }
            }
            if (month == hipStart - 1)
            {
                // Between the month's orders (day 4) and its payments (day 19), as the stent round a month later.
                await hipSystems.HipSystemRoundAsync(control, hipId, Months.Begins(month, zone).AddDays(5).AddHours(9), hipStart);
            }
            if (month == stentStart - 1)
            {
                // Between the month's orders (day 4) and its payments (day 19): the stent round takes days 5 to 18.
                await consumables.StentRoundAsync(control, stentId, Months.Begins(month, zone).AddDays(5).AddHours(9), stentStart);
            }
            if (month == awardedStart + 4)
            {
                control.SetUtcNow(Months.Begins(month, zone).AddDays(14).AddHours(11));
                var failing = (await Batch(awardedId).ListAgreementsAsync())
                    .Single(a => a.ProductId == FailingProduct && a.RegionCode == FailingRegion && a.State == AgreementState.Active);
                await grains.GetGrain<IAgreementGrain>(failing.AgreementId).RecordSupplyFailureAsync(
                    "The supplier's only production line stopped after a GMP inspection; verified by the provincial medical products administration.");
            }
            if (onPlatform)
            {
                // Invoices paid within the term (the late payer aside); a few hospitals declare what they bought off the platform.
                control.SetUtcNow(Months.Begins(month, zone).AddDays(19).AddHours(10));
                await Purchasing.PayAsync(clock.GetUtcNow());
                await _stentPurchasing.PayAsync(clock.GetUtcNow());
                await _hipPurchasing.PayAsync(clock.GetUtcNow());
                await UsageAsync(awardedId, month, 0.08m, DeclaringHospitals);
            }
            else
            {
                // Purchases were declared in the first days of the following month.
                control.SetUtcNow(Months.Begins(month + 1, zone).AddDays(3).AddHours(10));
                await UsageAsync(expiringId, month);
            }
        }
        // The last week: orders whose delivery was due in the last days, the falling supplier short again.
        control.SetUtcNow(present.AddDays(-6));
        await Purchasing.OrderAsync([expiringId, awardedId], Months.Of(present.AddDays(-6), zone), 0.25m, fallingBehind: true, LaggingHospital);
        await _stentPurchasing.OrderAsync([stentId], Months.Of(present.AddDays(-6), zone), 0.25m, fallingBehind: false, LaggingHospital);
        await _hipPurchasing.OrderAsync([hipId], Months.Of(present.AddDays(-6), zone), 0.25m, fallingBehind: false, LaggingHospital);
        // The joint-system round over the last days: opened two days ago, its award in publicity for five days more.
        await consumables.JointsInPublicityAsync(control, jointId, present.AddDays(-6).AddHours(1));
        var scores = _hospitals.ToDictionary(h => h.Hospital.Id, h => h.Hospital.Id == LaggingHospital ? 58 : 70 + _random.Next(0, 28));
        await grains.GetGrain<IMonitoringGrain>(0).SetHospitalScoresAsync(awardedId, scores);
    }

    /// <summary>The hospitals that declare a little bought off the platform each month (not the lagging one).</summary>
    private static readonly HashSet<string> DeclaringHospitals = new(StringComparer.Ordinal) { "H-BJ-002", "H-HE-003", "H-SD-001" };

    /// <summary>A whole round in the month before <paramref name="startMonth"/>, ending in agreements that begin then (24 months).</summary>
    private async Task RoundAsync(IDemoClockControl control, string batchId, string name, Molecule[] molecules, int startMonth, string ruleSet)
    {
        var t0 = Months.Begins(startMonth - 1, zone).AddDays(1).AddHours(9);
        control.SetUtcNow(t0);
        var batch = Batch(batchId);
        var windows = new TenderWindows(t0.AddDays(3), t0.AddDays(8), t0.AddDays(8), 7);
        await batch.ConfigureAsync(Definition(name, molecules, ruleSet, windows));
        await batch.OpenVolumeReportingAsync();
        var reported = await ReportAsync(batchId, molecules, _hospitals.Select(h => h.Hospital.Id).ToList());

        control.SetUtcNow(windows.ReportingCloses.AddMinutes(5));
        await batch.CloseVolumeReportingAsync();
        await batch.OpenBiddingAsync();
        control.SetUtcNow(t0.AddDays(6));
        await BidAsync(batchId, molecules, reported);

        control.SetUtcNow(windows.OpeningTime.AddMinutes(1));
        await batch.OpenBidsAsync();
        // Budgets at the maximum valid prices: they never bind, as in most rounds.
        var budgets = North.Regions.ToDictionary(
            r => r.Code,
            r => decimal.Round(molecules.Sum(m => reported.Where(x => x.Product == m.Product.Id && x.Region == r.Code).Sum(x => x.Volume) * m.MaxUnitPrice), 2) + 1m);
        await batch.RunAwardAsync(new AwardRequest("cost-optimal", budgets, 5));
        var view = await WaitAsync(batch, v => v.Phase == TenderBatchPhase.Publicity);
        control.SetUtcNow(view.PublicityEnds!.Value.AddHours(1));
        await batch.FinaliseAsync(Months.FirstDay(startMonth));
    }

    /// <summary>Story 2: every hospital has reported, sealed bids are in, the deadline and opening are minutes away.</summary>
    public async Task BiddingAsync(string batchId, DateTimeOffset deadline, DateTimeOffset opening)
    {
        Molecule[] molecules = [Rosuvastatin, Candesartan, Cefuroxime];
        var now = clock.GetUtcNow();
        var batch = Batch(batchId);
        await batch.ConfigureAsync(Definition("North China alliance, batch 2026-2", molecules, RuleSetCatalog.Round11,
            new TenderWindows(now.AddMinutes(5), deadline, opening, 7)));
        await batch.OpenVolumeReportingAsync();
        var reported = await ReportAsync(batchId, molecules, _hospitals.Select(h => h.Hospital.Id).ToList());
        await batch.CloseVolumeReportingAsync();
        await batch.OpenBiddingAsync();
        await BidAsync(batchId, molecules, reported);
    }

    /// <summary>Story 3: volume reporting open for two weeks; seven of the fifteen hospitals have reported (not the demo hospital's).</summary>
    public async Task ReportingAsync(string batchId)
    {
        Molecule[] molecules = [Atorvastatin, Amlodipine, Metformin, Montelukast, Entecavir];
        var now = clock.GetUtcNow();
        var batch = Batch(batchId);
        await batch.ConfigureAsync(Definition("North China alliance, batch 2026-1", molecules, RuleSetCatalog.Round11,
            new TenderWindows(now.AddDays(14), now.AddDays(30), now.AddDays(30), 7)));
        await batch.OpenVolumeReportingAsync();
        await ReportAsync(batchId, molecules, _hospitals.Where((_, i) => i % 2 == 1).Select(h => h.Hospital.Id).ToList());
    }

    private TenderBatchDefinition Definition(string name, Molecule[] molecules, string ruleSet, TenderWindows windows) => new(
        AllianceId,
        name,
        molecules.Select(m => new BatchProduct(m.Product.Id, m.MaxUnitPrice)).ToList(),
        North.Regions.Select(r => r.Code).ToList(),
        _hospitals.Select(h => h.Hospital.Id).ToList(),
        new RuleSetChoice(ruleSet, new Dictionary<string, string>(), PriceConversion.National),
        windows,
        24);

    /// <summary>Each hospital reports 90-115 % of its history (above the 80 % floor, so no reason is needed); some name a brand.</summary>
    private async Task<List<(string Product, string Region, long Volume)>> ReportAsync(string batchId, Molecule[] molecules, IReadOnlyList<string> hospitalIds)
    {
        var reported = new List<(string Product, string Region, long Volume)>();
        foreach (var (hospital, size) in _hospitals.Where(h => hospitalIds.Contains(h.Hospital.Id)))
        {
            var lines = molecules.Select(m =>
            {
                var volume = (long)(m.AnnualUse * size * (0.90m + (decimal)_random.NextDouble() * 0.25m));
                var brand = _random.Next(6) == 0 ? Bids[m.Product.Id][0].Maker : null;
                reported.Add((m.Product.Id, hospital.RegionCode, volume));
                return new VolumeReportLine(m.Product.Id, volume, brand, null);
            }).ToList();
            await Hospital(hospital.Id).SubmitVolumeReportsAsync(batchId, lines);
        }
        return reported;
    }

    /// <summary>Every catalogue bid on the representative specification, all five provinces, capacity for 90 % of the reported volume.</summary>
    private async Task BidAsync(string batchId, Molecule[] molecules, List<(string Product, string Region, long Volume)> reported)
    {
        foreach (var molecule in molecules)
        {
            var total = reported.Where(r => r.Product == molecule.Product.Id).Sum(r => r.Volume);
            foreach (var (maker, share) in Bids[molecule.Product.Id])
            {
                var pack = molecule.Product.Representative;
                var price = decimal.Round(molecule.MaxUnitPrice * share * pack.PackCount, 4);
                await grains.GetGrain<IBidderGrain>(maker).SubmitBidAsync(
                    $"demo-{batchId}-{molecule.Product.Id}",
                    new BidContent(batchId, molecule.Product.Id, pack.Code, price, (long)(total * 0.9m), North.Regions.Select(r => r.Code).ToList()));
            }
        }
    }

    /// <summary>At the present: the demo hospital has an order line awaiting its supplier's answer and a delivery to accept.</summary>
    public Task ThisMonthAsync() => Purchasing.OpenItemsAsync("H-BJ-001", Atorvastatin.Product.Id, clock.GetUtcNow());

    /// <summary>
    /// One month's purchases declared by hospitals (all, or <paramref name="only"/>) under the
    /// batch's agreements in force; the lagging hospital buys about half.
    /// </summary>
    private async Task UsageAsync(string batchId, int month, decimal shareOfMonth = 1m, IReadOnlySet<string>? only = null)
    {
        var agreements = (await Batch(batchId).ListAgreementsAsync())
            .Where(a => a.State is AgreementState.Active or AgreementState.Expiring && Months.Of(a.Start) <= month && month < Months.Of(a.End))
            .ToList();
        var lines = new Dictionary<string, List<UsageLine>>(StringComparer.Ordinal);
        foreach (var agreement in agreements)
        {
            if (!_agreementHospitals.TryGetValue(agreement.AgreementId, out var hospitals))
            {
                hospitals = await grains.GetGrain<IAgreementGrain>(agreement.AgreementId).ListHospitalsAsync();
                _agreementHospitals[agreement.AgreementId] = hospitals;
            }
            foreach (var part in hospitals.Where(p => only is null || only.Contains(p.HospitalId)))
            {
                var pace = part.HospitalId == LaggingHospital ? 0.45m + (decimal)_random.NextDouble() * 0.1m : 0.92m + (decimal)_random.NextDouble() * 0.2m;
                var units = (long)(part.AnnualVolume / 12m * pace * shareOfMonth);
                if (units <= 0)
                {
                    continue;
                }
                if (!lines.TryGetValue(part.HospitalId, out var list))
                {
                    lines[part.HospitalId] = list = [];
                }
                list.Add(new UsageLine(agreement.ProductId, agreement.ManufacturerId, units, decimal.Round(units * agreement.UnitPrice, 2)));
            }
        }
        foreach (var (hospitalId, list) in lines)
        {
            await Hospital(hospitalId).ReportUsageAsync(Months.Format(month), list);
        }
    }

    internal static async Task<TenderBatchView> WaitAsync(ITenderBatchGrain batch, Func<TenderBatchView, bool> done)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var view = await batch.GetAsync();
        while (!done(view))
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(120) || view.AwardStatus?.StartsWith("failed", StringComparison.Ordinal) == true)
            {
                throw new InvalidOperationException($"Demo batch {view.BatchId} did not get on: phase {view.Phase}, award {view.AwardStatus}.");
            }
            await Task.Delay(100);
            view = await batch.GetAsync();
        }
        return view;
    }
}
