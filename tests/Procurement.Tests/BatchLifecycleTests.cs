using System.Text.Json;
using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Storage;
using Procurement.Optimizer.RuleSets;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests;

/// <summary>
/// The tender lifecycle through the grains, on each database. Every test builds a scenario of its
/// own; the business clock only moves forward.
/// </summary>
public abstract class BatchLifecycleTests(ClusterFixture fixture)
{
    private Scenario NewScenario() => new(fixture.Cluster.Client, fixture.Clock);

    private ProcurementStore Store => fixture.Cluster.Database;

    [Fact]
    public async Task A_batch_goes_from_draft_through_reporting_and_bidding_to_opening()
    {
        var s = NewScenario();
        await s.RegisterAsync();

        var draft = await s.Batch.ConfigureAsync(s.Definition());
        Assert.Equal(TenderBatchPhase.Draft, draft.Phase);
        Assert.Equal(TenderBatchPhase.VolumeReporting, (await s.Batch.OpenVolumeReportingAsync()).Phase);

        await s.Hospital(s.Hospital1).SubmitVolumeReportsAsync(s.BatchId, [new VolumeReportLine(s.Atorvastatin, 70_000, null, null)]);
        var amended = await s.Hospital(s.Hospital1).SubmitVolumeReportsAsync(
            s.BatchId, [new VolumeReportLine(s.Atorvastatin, 72_000, s.Maker1, null), new VolumeReportLine(s.Amlodipine, 28_000, null, null)]);
        Assert.Equal([2, 1], amended.Select(r => r.Revision));
        await s.Hospital(s.Hospital2).SubmitVolumeReportsAsync(s.BatchId, [new VolumeReportLine(s.Atorvastatin, 30_000, null, null)]);

        var totals = await s.Batch.CloseVolumeReportingAsync();
        Assert.Equal(102_000, totals.Single(t => t.ProductId == s.Atorvastatin).TotalAnnualVolume);
        Assert.Equal(2, totals.Single(t => t.ProductId == s.Atorvastatin).ReportingHospitals);
        Assert.Equal(28_000, totals.Single(t => t.ProductId == s.Amlodipine).TotalAnnualVolume);

        Assert.Equal(TenderBatchPhase.Bidding, (await s.Batch.OpenBiddingAsync()).Phase);
        var first = await s.Bidder(s.Maker1).SubmitBidAsync("r1", s.Bid(s.Atorvastatin, 1.2345m));
        await s.Bidder(s.Maker2).SubmitBidAsync("r1", s.Bid(s.Atorvastatin, 2.10m, spec: "20mgx14", regions: [s.RegionA]));

        fixture.Clock.SetUtcNow(s.OpeningDue);
        var opened = await s.Batch.OpenBidsAsync();
        Assert.Equal(TenderBatchPhase.Opened, opened.Phase);
        Assert.Equal(s.OpeningDue, opened.OpenedAt);

        var bids = await s.Batch.GetOpenedBidsAsync();
        Assert.Equal(2, bids.Count);
        var mine = bids.Single(b => b.BidId == first.BidId);
        Assert.Equal(1.2345m, mine.Content.PricePerPack);
        Assert.Equal(decimal.Round(1.2345m / 7, 6), mine.UnitComparablePrice);
        var other = bids.Single(b => b.ManufacturerId == s.Maker2);
        Assert.Equal($"G-{s.Tag}", other.BidderGroup);
        Assert.Equal([s.RegionA], other.Content.SupplyRegions);
        // 14 tablets cost 1.95 times 7 tablets: 2.10 / 1.95 / 7 per representative tablet.
        Assert.Equal(decimal.Round(2.10m / 1.95m / 7, 6), other.UnitComparablePrice);

        var events = await Store.ReadAsync(c => EventLog.ForBatchAsync(c, s.BatchId));
        Assert.Equal(
            ["BatchConfigured", "PhaseChangedToVolumeReporting", "VolumeReported", "VolumeReported", "VolumeReported",
             "PhaseChangedToVolumeReportingClosed", "PhaseChangedToBidding", "BidSubmitted", "BidSubmitted", "PhaseChangedToOpened"],
            events.Select(e => e.EventType));
        Assert.All(events, e => Assert.False(string.IsNullOrWhiteSpace(e.Actor)));
    }

    [Fact]
    public async Task The_deadline_is_enforced_to_the_millisecond_by_the_server_clock()
    {
        var s = NewScenario();
        await s.OpenBiddingAsync();

        fixture.Clock.SetUtcNow(s.Windows.BiddingDeadline.AddMilliseconds(-1));
        var receipt = await s.Bidder(s.Maker1).SubmitBidAsync("on-time", s.Bid(s.Atorvastatin, 1.00m));
        Assert.Equal(s.Windows.BiddingDeadline.AddMilliseconds(-1), receipt.ReceivedAt);

        fixture.Clock.SetUtcNow(s.Windows.BiddingDeadline.AddMilliseconds(1));
        var before = await TableCounts.ReadAsync(Store);
        await Refused.WithAsync(ErrorCodes.DeadlinePassed, () => s.Bidder(s.Maker2).SubmitBidAsync("late", s.Bid(s.Atorvastatin, 0.90m)));
        await Refused.WithAsync(ErrorCodes.DeadlinePassed, () => s.Bidder(s.Maker1).AmendBidAsync("late-amend", receipt.BidId, s.Bid(s.Atorvastatin, 0.80m)));
        await Refused.WithAsync(ErrorCodes.DeadlinePassed, () => s.Bidder(s.Maker1).WithdrawBidAsync("late-withdraw", receipt.BidId));
        // The opening time equals the deadline here, so the late bid's arrival also opened the batch:
        // that is recorded, the bid is not.
        var after = await TableCounts.ReadAsync(Store);
        foreach (var table in new[] { "sealed_bids", "sealed_bid_actions" })
        {
            Assert.Equal(before[table], after[table]);
        }
        var events = await Store.ReadAsync(c => EventLog.ForBatchAsync(c, s.BatchId));
        Assert.Single(events, e => e.EventType.StartsWith("Bid", StringComparison.Ordinal));
        Assert.Equal("PhaseChangedToOpened", events[^1].EventType);

        var stored = await Store.ReadAsync(c => c.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM bids WHERE batch_id = @BatchId", new { s.BatchId }));
        Assert.Equal(1, stored);
    }

    [Fact]
    public async Task Bids_of_many_manufacturers_arriving_together_are_all_recorded_and_a_burst_at_the_opening_opens_the_batch_once()
    {
        var s = NewScenario();
        await s.OpenBiddingAsync();
        var makers = Enumerable.Range(1, 40).Select(i => $"MX{i:00}-{s.Tag}").ToList();
        foreach (var maker in makers)
        {
            await s.Bidder(maker).RegisterAsync(new Manufacturer(maker, $"Maker {maker}", null));
            await s.Bidder(maker).DeclareQualificationAsync(new Qualification(s.Atorvastatin, true, 3, false, "GMP-OK"));
            await s.Bidder(maker).DeclareQualificationAsync(new Qualification(s.Amlodipine, true, 3, false, "GMP-OK"));
        }

        // 80 bid actions at once: the batch takes them interleaved, each recorded once.
        var receipts = await Task.WhenAll(makers.SelectMany(maker => new[]
        {
            s.Bidder(maker).SubmitBidAsync($"{maker}-atv", s.Bid(s.Atorvastatin, 1.00m)),
            s.Bidder(maker).SubmitBidAsync($"{maker}-aml", s.Bid(s.Amlodipine, 2.00m)),
        }));
        Assert.Equal(80, receipts.Select(r => r.BidId).Distinct().Count());
        Assert.Null((await s.Batch.GetAsync()).SealedBidCount);
        Assert.Equal(80, await Store.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sealed_bids WHERE batch_id = @BatchId", new { s.BatchId })));

        // At the opening time 40 amendments arrive together: the first to be handled opens the batch,
        // every one is refused as late, and the batch is opened exactly once.
        fixture.Clock.SetUtcNow(s.OpeningDue);
        var late = makers.Select((maker, i) => s.Bidder(maker).AmendBidAsync($"{maker}-late", receipts[i * 2].BidId, s.Bid(s.Atorvastatin, 0.90m))).ToList();
        foreach (var call in late)
        {
            var refusal = await Assert.ThrowsAsync<ProcurementException>(() => call);
            Assert.Equal(ErrorCodes.DeadlinePassed, refusal.Code);
        }
        Assert.Equal(TenderBatchPhase.Opened, (await s.Batch.GetAsync()).Phase);
        var events = await Store.ReadAsync(c => EventLog.ForBatchAsync(c, s.BatchId));
        Assert.Single(events, e => e.EventType == "PhaseChangedToOpened");
        Assert.Equal(80, events.Count(e => e.EventType.StartsWith("Bid", StringComparison.Ordinal)));
        Assert.All(await s.Batch.GetOpenedBidsAsync(), b => Assert.Equal(1, b.Version));
        Assert.Equal(80, (await s.Batch.GetAsync()).SealedBidCount);
    }

    [Fact]
    public async Task No_price_is_readable_before_the_opening_by_anyone()
    {
        var s = NewScenario();
        await s.OpenBiddingAsync();
        var receipt = await s.Bidder(s.Maker1).SubmitBidAsync("r1", s.Bid(s.Atorvastatin, 1.7777m));

        await Refused.WithAsync(ErrorCodes.BidsSealed, () => s.Batch.GetOpenedBidsAsync());
        await Refused.WithAsync(ErrorCodes.OpeningNotDue, () => s.Batch.OpenBidsAsync());
        Assert.Equal(TenderBatchPhase.Bidding, (await s.Batch.GetAsync()).Phase);

        // Nobody but the bidder learns that a bid exists, how many there are, or any hash of one.
        await Refused.WithAsync(ErrorCodes.BidsSealed, () => s.Batch.ListSealedBidsAsync());
        Assert.Null((await s.Batch.GetAsync()).SealedBidCount);
        Assert.Single(await s.Bidder(s.Maker1).ListBidsAsync(), b => b.BidId == receipt.BidId);

        // The event log is readable before the opening too: it must not carry the price.
        var events = await Store.ReadAsync(c => EventLog.ForBatchAsync(c, s.BatchId));
        Assert.DoesNotContain(events, e => e.Payload.Contains("1.7777") || e.Payload.Contains("17777"));
        Assert.DoesNotContain(events, e => e.Payload.Contains(receipt.ContentSha256));
    }

    [Fact]
    public async Task A_repeated_request_yields_one_bid_and_a_reused_request_id_is_refused()
    {
        var s = NewScenario();
        await s.OpenBiddingAsync();

        var first = await s.Bidder(s.Maker1).SubmitBidAsync("req-42", s.Bid(s.Atorvastatin, 1.00m));
        fixture.Clock.Advance(TimeSpan.FromSeconds(5));
        var again = await s.Bidder(s.Maker1).SubmitBidAsync("req-42", s.Bid(s.Atorvastatin, 1.00m));
        Assert.Equal(first, again);

        await Refused.WithAsync(
            ErrorCodes.RequestIdReused, () => s.Bidder(s.Maker1).SubmitBidAsync("req-42", s.Bid(s.Atorvastatin, 0.95m)), "clientRequestId");
        await Refused.WithAsync(
            ErrorCodes.BidAlreadyExists, () => s.Bidder(s.Maker1).SubmitBidAsync("req-43", s.Bid(s.Atorvastatin, 0.95m)), "productId");

        var rows = await Store.ReadAsync(c => c.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM sealed_bid_actions WHERE batch_id = @BatchId", new { s.BatchId }));
        Assert.Equal(1, rows);
        // The receipt commits to the content under its own nonce, which only the bidder got.
        Assert.Equal(64, first.Nonce.Length);
        Assert.Equal(BidCanonicalForm.Commitment(first.Nonce, BidCanonicalForm.Text(s.Maker1, s.Bid(s.Atorvastatin, 1.00m))), first.ContentSha256);
    }

    [Fact]
    public async Task A_bid_can_be_amended_and_withdrawn_before_the_deadline()
    {
        var s = NewScenario();
        await s.OpenBiddingAsync();
        var bidder = s.Bidder(s.Maker1);

        var submitted = await bidder.SubmitBidAsync("s", s.Bid(s.Amlodipine, 3.00m));
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        var amended = await bidder.AmendBidAsync("a", submitted.BidId, s.Bid(s.Amlodipine, 2.50m, capacity: 500_000));
        Assert.Equal(submitted.BidId, amended.BidId);
        Assert.Equal(2, amended.Version);
        Assert.NotEqual(submitted.ContentSha256, amended.ContentSha256);
        Assert.True(amended.ReceivedAt > submitted.ReceivedAt);
        // The supply regions follow each amendment: one dropped, then another in its place.
        Assert.Equal(3, (await bidder.AmendBidAsync("a-one-region", submitted.BidId, s.Bid(s.Amlodipine, 2.50m, capacity: 500_000, regions: [s.RegionB]))).Version);
        var regionsChanged = await bidder.AmendBidAsync("a-other-region", submitted.BidId, s.Bid(s.Amlodipine, 2.50m, capacity: 500_000, regions: [s.RegionA]));
        Assert.Equal(4, regionsChanged.Version);

        var atorvastatin = await bidder.SubmitBidAsync("s2", s.Bid(s.Atorvastatin, 1.00m));
        var withdrawn = await bidder.WithdrawBidAsync("w", atorvastatin.BidId);
        Assert.Equal(BidAction.Withdrawn, withdrawn.Action);
        Assert.Equal(withdrawn, await bidder.WithdrawBidAsync("w", atorvastatin.BidId));
        await Refused.WithAsync(ErrorCodes.BidWithdrawn, () => bidder.AmendBidAsync("a2", atorvastatin.BidId, s.Bid(s.Atorvastatin, 0.90m)));
        await Refused.WithAsync(ErrorCodes.BidNotFound, () => s.Bidder(s.Maker2).WithdrawBidAsync("steal", submitted.BidId), "bidId");
        var resubmitted = await bidder.SubmitBidAsync("s3", s.Bid(s.Atorvastatin, 0.90m));

        fixture.Clock.SetUtcNow(s.OpeningDue);
        await s.Batch.OpenBidsAsync();
        var open = await s.Batch.GetOpenedBidsAsync();
        Assert.Equal(2, open.Count);
        var amlodipine = open.Single(b => b.BidId == submitted.BidId);
        Assert.Equal(2.50m, amlodipine.Content.PricePerPack);
        Assert.Equal(500_000, amlodipine.Content.AnnualCapacity);
        Assert.Equal([s.RegionA], amlodipine.Content.SupplyRegions);
        Assert.Equal(regionsChanged.ContentSha256, amlodipine.ContentSha256);
        Assert.Equal(regionsChanged.Nonce, amlodipine.ReceiptNonce);
        Assert.Contains(open, b => b.BidId == resubmitted.BidId);
        Assert.DoesNotContain(open, b => b.BidId == atorvastatin.BidId);
    }

    [Fact]
    public async Task Bad_input_is_refused_with_a_code_and_field_and_nothing_is_written()
    {
        var s = NewScenario();
        await s.OpenReportingAsync();
        await s.Hospital(s.Hospital1).SetUsageHistoryAsync([new UsageHistory(s.Atorvastatin, 100_000)]);
        var before = await TableCounts.ReadAsync(Store);
        var hospital = s.Hospital(s.Hospital1);

        await Refused.WithAsync(ErrorCodes.InvalidField,
            () => hospital.SubmitVolumeReportsAsync(s.BatchId, [new VolumeReportLine(s.Amlodipine, 10, null, null), new VolumeReportLine(s.Atorvastatin, -1, null, "x")]),
            "lines[1].annualVolume");
        await Refused.WithAsync(ErrorCodes.UnknownProduct,
            () => hospital.SubmitVolumeReportsAsync(s.BatchId, [new VolumeReportLine("NOT-IN-BATCH", 10, null, null)]), "lines[0].productId");
        await Refused.WithAsync(ErrorCodes.NotParticipating,
            () => s.Hospital(s.OutsideHospital).SubmitVolumeReportsAsync(s.BatchId, [new VolumeReportLine(s.Atorvastatin, 10, null, null)]));
        await Refused.WithAsync(ErrorCodes.BelowHistoryNeedsReason,
            () => hospital.SubmitVolumeReportsAsync(s.BatchId, [new VolumeReportLine(s.Atorvastatin, 79_999, null, null)]), "lines[0].belowHistoryReason");
        await Refused.WithAsync(ErrorCodes.InvalidField,
            () => hospital.SubmitVolumeReportsAsync(s.BatchId, [new VolumeReportLine(s.Atorvastatin, 90_000, null, null), new VolumeReportLine(s.Atorvastatin, 90_000, null, null)]),
            "lines[1].productId");
        await Refused.WithAsync(ErrorCodes.UnknownReference,
            () => hospital.SubmitVolumeReportsAsync(s.BatchId, [new VolumeReportLine(s.Atorvastatin, 90_000, "NO-SUCH-MAKER", null)]),
            "lines[0].preferredManufacturerId");
        await Refused.WithAsync(ErrorCodes.InvalidTransition, () => s.Batch.OpenBiddingAsync());
        await Refused.WithAsync(ErrorCodes.InvalidTransition, () => s.Batch.OpenVolumeReportingAsync());
        await Refused.WithAsync(ErrorCodes.InvalidTransition, () => s.Batch.ConfigureAsync(s.Definition()));
        await Refused.WithAsync(ErrorCodes.BiddingNotOpen, () => s.Bidder(s.Maker1).SubmitBidAsync("early", s.Bid(s.Atorvastatin, 1m)));
        await Refused.WithAsync(ErrorCodes.RequiredField, () => s.Bidder(s.Maker1).SubmitBidAsync("", s.Bid(s.Atorvastatin, 1m)), "clientRequestId");

        var other = NewScenario();
        await other.RegisterAsync();
        var definition = other.Definition();
        await Refused.WithAsync(ErrorCodes.InvalidField,
            () => other.Batch.ConfigureAsync(definition with { Windows = definition.Windows with { OpeningTime = definition.Windows.BiddingDeadline.AddTicks(-10) } }),
            "windows.openingTime");
        await Refused.WithAsync(ErrorCodes.UnknownReference,
            () => other.Batch.ConfigureAsync(definition with { HospitalIds = [other.Hospital1, "NO-SUCH-HOSPITAL"] }), "hospitalIds[1]");
        await Refused.WithAsync(ErrorCodes.InvalidField,
            () => other.Batch.ConfigureAsync(definition with { RuleSet = definition.RuleSet with { Name = "round99" } }), "ruleSet.name");
        await Refused.WithAsync(ErrorCodes.InvalidField,
            () => other.Batch.ConfigureAsync(definition with { Products = [new BatchProduct(other.Atorvastatin, -1m)] }), "products[0].maxValidUnitPrice");

        // The scenario's own registrations happened before "before"; nothing after it was written.
        var after = await TableCounts.ReadAsync(Store);
        foreach (var table in new[] { "volume_reports", "bids", "bid_actions", "tender_batches", "batch_products", "batch_hospitals" })
        {
            Assert.Equal(before[table], after[table]);
        }
        var batchEvents = await Store.ReadAsync(c => EventLog.ForBatchAsync(c, s.BatchId));
        Assert.Equal(["BatchConfigured", "PhaseChangedToVolumeReporting"], batchEvents.Select(e => e.EventType));
    }

    [Theory]
    [InlineData("ratioLimt", "2.0")]
    [InlineData("ratioLimit", "fast")]
    [InlineData("volumeReport.minimumShareOfHistory", "1.5")]
    [InlineData("packCountDoublingFactor", "2")]
    public async Task A_rule_parameter_the_registry_does_not_take_is_refused_naming_it_and_nothing_is_stored(string key, string value)
    {
        var s = NewScenario();
        await s.RegisterAsync();
        var before = await TableCounts.ReadAsync(Store);
        var definition = s.Definition();
        var parameters = new Dictionary<string, string> { ["ratioLimit"] = "2.0", [key] = value };

        var error = await Refused.WithAsync(ErrorCodes.InvalidField,
            () => s.Batch.ConfigureAsync(definition with { RuleSet = definition.RuleSet with { Parameters = parameters } }), $"ruleSet.parameters.{key}");

        Assert.Contains(key, error.Message);
        await Refused.WithAsync(ErrorCodes.NotConfigured, () => s.Batch.GetAsync());
        var after = await TableCounts.ReadAsync(Store);
        foreach (var table in new[] { "tender_batches", "batch_products", "batch_hospitals" })
        {
            Assert.Equal(before[table], after[table]);
        }
        Assert.Empty(await Store.ReadAsync(c => EventLog.ForBatchAsync(c, s.BatchId)));
    }

    [Fact]
    public async Task Every_key_a_batch_may_set_round_trips_through_configuration_and_the_store_and_the_catalog_grain_serves_the_registry()
    {
        var s = NewScenario();
        await s.RegisterAsync();
        var parameters = RuleSetCatalog.Parameters.Where(p => !p.FromConversion).ToDictionary(p => p.KeyFor("Tablet"), p => p.Example);
        var definition = s.Definition();

        var view = await s.Batch.ConfigureAsync(definition with { RuleSet = definition.RuleSet with { Parameters = parameters } });

        Assert.Equal(parameters.OrderBy(p => p.Key), view.Definition!.RuleSet.Parameters.OrderBy(p => p.Key));
        var stored = await Store.ReadAsync(c => c.QuerySingleAsync<string>(
            "SELECT rule_set_parameters FROM tender_batches WHERE batch_id = @BatchId", new { s.BatchId }));
        Assert.Equal(parameters.OrderBy(p => p.Key), JsonSerializer.Deserialize<Dictionary<string, string>>(stored)!.OrderBy(p => p.Key));
        Assert.Equal(0.9m, (await s.Batch.GetReportingTermsAsync(s.Hospital1)).MinimumShareOfHistory);

        var catalog = await fixture.Cluster.Client.GetGrain<IRuleSetCatalogGrain>(0).GetAsync();
        Assert.Equal(RuleSetCatalog.Names, catalog.Names);
        Assert.Equal(RuleSetCatalog.Default, catalog.Default);
        Assert.Equal(RuleSetCatalog.Parameters.Select(p => (p.Key, p.Owner.ToString(), p.Example)), catalog.Parameters.Select(p => (p.Key, p.Owner, p.Example)));
    }

    [Fact]
    public async Task A_report_below_history_is_kept_with_its_reason()
    {
        var s = NewScenario();
        await s.OpenReportingAsync();
        await s.Hospital(s.Hospital1).SetUsageHistoryAsync([new UsageHistory(s.Atorvastatin, 100_000)]);

        await s.Hospital(s.Hospital1).SubmitVolumeReportsAsync(
            s.BatchId, [new VolumeReportLine(s.Atorvastatin, 50_000, s.Maker2, "Ward closed for renovation in 2027")]);

        var stored = Assert.Single(await s.Hospital(s.Hospital1).GetVolumeReportsAsync(s.BatchId));
        Assert.Equal(50_000, stored.AnnualVolume);
        Assert.Equal("Ward closed for renovation in 2027", stored.BelowHistoryReason);
        Assert.Equal(s.Maker2, stored.PreferredManufacturerId);
        Assert.Equal(fixture.Clock.GetUtcNow(), stored.ReportedAt);
    }

    [Fact]
    public async Task An_opened_batch_is_awarded_goes_through_publicity_with_objections_and_is_finalised()
    {
        var s = NewScenario();
        await s.OpenBiddingAsync();
        var cheap = await s.Bidder(s.Maker1).SubmitBidAsync("a1", s.Bid(s.Atorvastatin, 2.80m));
        await s.Bidder(s.Maker2).SubmitBidAsync("a2", s.Bid(s.Atorvastatin, 3.08m));
        var late = await s.Bidder(s.Maker1).SubmitBidAsync("b1", s.Bid(s.Amlodipine, 2.80m));
        fixture.Clock.SetUtcNow(s.OpeningDue);
        await s.Batch.OpenBidsAsync();

        // Budgets far too small: the award is refused with the figures, and the batch stays Opened.
        var tight = new AwardRequest("cost-optimal", new Dictionary<string, decimal> { [s.RegionA] = 10m, [s.RegionB] = 10m }, 5);
        Assert.Equal(TenderBatchPhase.Opened, (await s.Batch.RunAwardAsync(tight)).Phase);
        var refused = await WaitAsync(s, v => v.AwardStatus is not null && v.AwardStatus != "running");
        Assert.StartsWith("failed: no allocation fits the region budgets", refused.AwardStatus);
        Assert.Equal(TenderBatchPhase.Opened, refused.Phase);

        var request = new AwardRequest("cost-optimal", new Dictionary<string, decimal> { [s.RegionA] = 1_000_000m, [s.RegionB] = 1_000_000m }, 5);
        await s.Batch.RunAwardAsync(request);
        var publicity = await WaitAsync(s, v => v.Phase == TenderBatchPhase.Publicity);
        Assert.Equal(fixture.Clock.GetUtcNow().AddDays(7), publicity.PublicityEnds);
        // The view shows how the solve went: the worker's last progress, with cost and proven bound.
        var progress = Assert.IsType<AwardProgress>(publicity.AwardProgress);
        Assert.False(string.IsNullOrWhiteSpace(progress.Phase));
        Assert.True(progress.BestCost >= progress.Bound && progress.Bound > 0, $"{progress}");
        Assert.Equal(fixture.Clock.GetUtcNow(), progress.ReportedAt);

        var award = Assert.IsType<AwardView>(await s.Batch.GetAwardAsync());
        Assert.Equal("Optimal", award.SolveStatus);
        // The independent rule checker's verdict is stored with the award.
        var check = Assert.IsType<AwardCheckSummary>(award.Check);
        Assert.Equal("passed", check.Verdict);
        Assert.True(check.Checks > 20, $"{check}");
        Assert.Equal(3, award.Statements.Count);
        Assert.All(award.Statements, st => Assert.True(st.Won));
        var atvA = award.Allocations.Single(a => a.ProductId == s.Atorvastatin && a.RegionCode == s.RegionA);
        // Two winners under round 11: 70% of Hospital1's 70,000; the cheaper winner supplies, the other is spare.
        Assert.Equal(49_000, atvA.AgreedVolume);
        Assert.Equal(cheap.BidId, atvA.PrimaryBidId);
        Assert.Equal(19_600m, atvA.Amount);
        Assert.NotNull(atvA.SpareBidId);
        Assert.Contains(award.Allocations, a => a.PrimaryBidId == late.BidId);

        var objection = await s.Bidder(s.Maker2).FileObjectionAsync(s.BatchId, "Our capacity covers region A in full.");
        await Refused.WithAsync(ErrorCodes.BidNotFound, () => s.Bidder(s.Maker3).FileObjectionAsync(s.BatchId, "We did not bid."), "manufacturerId");
        await Refused.WithAsync(ErrorCodes.PublicityNotOver, () => s.Batch.FinaliseAsync());
        fixture.Clock.SetUtcNow(publicity.PublicityEnds!.Value);
        await Refused.WithAsync(ErrorCodes.ObjectionsUnanswered, () => s.Batch.FinaliseAsync());
        var answered = await s.Batch.AnswerObjectionAsync(objection.ObjectionId, "Region A went to the lower price, as the rules require.");
        Assert.NotNull(answered.AnsweredAt);
        await Refused.WithAsync(ErrorCodes.ObjectionNotFound, () => s.Batch.AnswerObjectionAsync(objection.ObjectionId, "again"), "objectionId");

        Assert.Equal(TenderBatchPhase.Awarded, (await s.Batch.FinaliseAsync()).Phase);
        await Refused.WithAsync(ErrorCodes.NotInPublicity, () => s.Bidder(s.Maker2).FileObjectionAsync(s.BatchId, "Too late."));
        await Refused.WithAsync(ErrorCodes.InvalidTransition, () => s.Batch.RunAwardAsync(request));
        Assert.Equal(award.Allocations, (await s.Batch.GetAwardAsync())!.Allocations);

        var events = await Store.ReadAsync(c => EventLog.ForBatchAsync(c, s.BatchId));
        Assert.Equal(
            ["AwardProposed", "PhaseChangedToPublicity", "ObjectionFiled", "ObjectionAnswered", "PhaseChangedToAwarded", "AgreementsCreated"],
            events.SkipWhile(e => e.EventType != "AwardProposed").Select(e => e.EventType));
    }

    [Fact]
    public async Task A_hospital_level_award_gives_each_hospital_one_supplier_and_honours_the_named_brand()
    {
        var s = NewScenario();
        // Hospital2 named Maker1's brand for atorvastatin when it reported.
        await s.OpenBiddingAsync();
        var cheap = await s.Bidder(s.Maker1).SubmitBidAsync("h1", s.Bid(s.Atorvastatin, 2.80m));
        var dear = await s.Bidder(s.Maker2).SubmitBidAsync("h2", s.Bid(s.Atorvastatin, 3.08m));
        var amlodipine = await s.Bidder(s.Maker1).SubmitBidAsync("h3", s.Bid(s.Amlodipine, 2.80m));
        fixture.Clock.SetUtcNow(s.OpeningDue);
        await s.Batch.OpenBidsAsync();

        await Refused.WithAsync(ErrorCodes.InvalidField, () => s.Batch.RunAwardAsync(new AwardRequest("by-hospital", new Dictionary<string, decimal>(), 5)), "mode");
        await s.Batch.RunAwardAsync(new AwardRequest("hospital", new Dictionary<string, decimal>(), 5));
        var publicity = await WaitAsync(s, v => v.Phase == TenderBatchPhase.Publicity || v.AwardStatus?.StartsWith("failed", StringComparison.Ordinal) == true);
        Assert.Equal(TenderBatchPhase.Publicity, publicity.Phase);

        var award = Assert.IsType<AwardView>(await s.Batch.GetAwardAsync());
        Assert.Equal("hospital", award.Mode);
        Assert.Equal("Optimal", award.SolveStatus);
        Assert.Equal("passed", award.Check?.Verdict);
        Assert.Empty(award.Allocations);
        Assert.Empty(award.UnallocatedHospitals);

        // Hospital2's named brand won, so it is Maker1's; every winner gets volume, so Hospital1's goes to Maker2.
        var hospital2 = Assert.Single(await s.Batch.GetHospitalAllocationsAsync(s.Hospital2));
        Assert.Equal((s.Atorvastatin, cheap.BidId, true), (hospital2.ProductId, hospital2.PrimaryBidId, hospital2.NamedBrand));
        Assert.Equal(21_000, hospital2.AgreedVolume);
        Assert.Equal(dear.BidId, hospital2.SpareBidId);

        var hospital1 = await s.Batch.GetHospitalAllocationsAsync(s.Hospital1);
        Assert.Equal([s.Amlodipine, s.Atorvastatin], hospital1.Select(a => a.ProductId).Order(StringComparer.Ordinal));
        var atv1 = hospital1.Single(a => a.ProductId == s.Atorvastatin);
        Assert.Equal((dear.BidId, s.Maker2, false, s.RegionA), (atv1.PrimaryBidId, atv1.PrimaryManufacturerId, atv1.NamedBrand, atv1.RegionCode));
        Assert.Equal(49_000, atv1.AgreedVolume);
        Assert.Equal(0.44m, atv1.UnitPrice);
        Assert.Equal(21_560m, atv1.Amount);
        Assert.Equal(amlodipine.BidId, hospital1.Single(a => a.ProductId == s.Amlodipine).PrimaryBidId);
        Assert.Empty(await s.Batch.GetHospitalAllocationsAsync(s.OutsideHospital));

        // The summary per product, region and winner adds up to the hospital lines.
        var summary = award.HospitalSummary.Where(h => h.ProductId == s.Atorvastatin).OrderBy(h => h.RegionCode, StringComparer.Ordinal).ToList();
        Assert.Equal(
            [(s.RegionA, dear.BidId, 1, 0, 49_000L, 21_560m), (s.RegionB, cheap.BidId, 1, 1, 21_000L, 8_400m)],
            summary.Select(h => (h.RegionCode, h.PrimaryBidId, h.Hospitals, h.NamedBrandHospitals, h.AgreedVolume, h.Amount)));
        Assert.Equal(award.Objective, award.HospitalSummary.Sum(h => h.Amount));

        // Finalised, the agreements follow the hospital lines: one per winner, product and region, each hospital its own part.
        fixture.Clock.SetUtcNow(publicity.PublicityEnds!.Value);
        await s.Batch.FinaliseAsync();
        var agreements = await s.Batch.ListAgreementsAsync();
        Assert.Equal(
            [(s.Amlodipine, s.RegionA, s.Maker1, amlodipine.BidId), (s.Atorvastatin, s.RegionA, s.Maker2, dear.BidId), (s.Atorvastatin, s.RegionB, s.Maker1, cheap.BidId)],
            agreements.Select(a => (a.ProductId, a.RegionCode, a.ManufacturerId, a.BidId)));
        var named = agreements.Single(a => a.BidId == cheap.BidId);
        var part = Assert.Single(await fixture.Cluster.Client.GetGrain<IAgreementGrain>(named.AgreementId).ListHospitalsAsync());
        Assert.Equal((s.Hospital2, 21_000L, 8_400m, 2_520m), (part.HospitalId, part.AnnualVolume, part.AnnualAmount, part.Prepayment));
    }

    private async Task<TenderBatchView> WaitAsync(Scenario s, Func<TenderBatchView, bool> done)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var view = await s.Batch.GetAsync();
            if (done(view))
            {
                return view;
            }
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"The award did not finish: {view.Phase}, {view.AwardStatus}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Bids_are_checked_against_the_batch()
    {
        var s = NewScenario();
        await s.OpenBiddingAsync();
        var bidder = s.Bidder(s.Maker1);

        await Refused.WithAsync(ErrorCodes.InvalidField, () => bidder.SubmitBidAsync("p", s.Bid(s.Atorvastatin, 1.23456m)), "pricePerPack");
        await Refused.WithAsync(ErrorCodes.PriceAboveMaximum, () => bidder.SubmitBidAsync("m", s.Bid(s.Atorvastatin, 3.51m)), "pricePerPack");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => bidder.SubmitBidAsync("c", s.Bid(s.Atorvastatin, 1m, capacity: 0)), "annualCapacity");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => bidder.SubmitBidAsync("r", s.Bid(s.Atorvastatin, 1m, regions: ["XX"])), "supplyRegions[0]");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => bidder.SubmitBidAsync("s", s.Bid(s.Atorvastatin, 1m, spec: "80mgx7")), "specificationCode");
        await Refused.WithAsync(ErrorCodes.NotQualified, () => bidder.SubmitBidAsync("q", s.Bid("UNKNOWN", 1m)), "productId");
        await Refused.WithAsync(ErrorCodes.NotFound, () => s.Bidder("NOBODY").SubmitBidAsync("n", s.Bid(s.Atorvastatin, 1m)));

        // Exactly at the maximum is allowed: 0.5 CNY a tablet is 3.50 a pack of 7.
        var atMaximum = await bidder.SubmitBidAsync("ok", s.Bid(s.Atorvastatin, 3.50m));
        Assert.Equal(1, atMaximum.Version);
    }
}

public sealed class SqliteBatchLifecycleTests(SqliteClusterFixture fixture) : BatchLifecycleTests(fixture), IClassFixture<SqliteClusterFixture>;

public sealed class PostgresBatchLifecycleTests(PostgresClusterFixture fixture) : BatchLifecycleTests(fixture), IClassFixture<PostgresClusterFixture>;
