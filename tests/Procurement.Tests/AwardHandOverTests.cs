using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Storage;
using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Award;
using Procurement.Optimizer.Checking;
using Procurement.Tests.Infrastructure;
using Xunit;
using Procurement.Grains.Awards;

namespace Procurement.Tests;

/// <summary>
/// The award worker stores an award; the batch grain alone takes it as its proposed award and
/// moves its phase (issue 17). What happens between the two steps, on each database: an award
/// the batch never took is shown nowhere and the next run replaces it; only a stored award with
/// the checker's "passed" is taken.
/// </summary>
public abstract class AwardHandOverTests(ClusterFixture fixture)
{
    private const string AwardsOfBatchSql = "SELECT award_id FROM awards WHERE batch_id = @BatchId";

    private Scenario NewScenario() => new(fixture.Cluster.Client, fixture.Clock);

    private ProcurementStore Store => fixture.Cluster.Database;

    private AwardRepository Awards => fixture.Cluster.SiloServices.GetRequiredService<AwardRepository>();
    private AwardInputReader Inputs => fixture.Cluster.SiloServices.GetRequiredService<AwardInputReader>();

    [Fact]
    public async Task An_award_stored_but_never_taken_by_the_batch_is_shown_nowhere_and_the_next_run_replaces_it()
    {
        var s = await OpenedAsync();

        // The worker's step alone, as when its silo stops before the batch hears of the award.
        var orphan = await StoreAsync(s, AwardModes.Hospital);
        Assert.Equal([orphan.AwardId.ToString()], await AwardsOfBatchAsync(s));
        Assert.True(await Store.ReadAsync(c => c.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM award_hospital_allocations WHERE award_id = @AwardId", new { AwardId = orphan.AwardId.ToString() })) > 0);

        var view = await s.Batch.GetAsync();
        Assert.Equal((TenderBatchPhase.Opened, null, null), (view.Phase, view.AwardStatus, view.PublicityEnds));
        Assert.Null(await s.Batch.GetAwardAsync());
        Assert.Empty(await s.Batch.GetHospitalAllocationsAsync(s.Hospital1));
        var events = await Store.ReadAsync(c => EventLog.ForBatchAsync(c, s.BatchId));
        Assert.DoesNotContain(events, e => e.EventType is "AwardProposed" or "PhaseChangedToPublicity");

        // The run again: the batch takes the new award, and the one it never took is gone.
        await s.Batch.RunAwardAsync(new AwardRequest(AwardModes.CostOptimal, new Dictionary<string, decimal> { [s.RegionA] = 1_000_000m, [s.RegionB] = 1_000_000m }, 5));
        var publicity = await WaitAsync(s, v => v.Phase == TenderBatchPhase.Publicity || v.AwardStatus?.StartsWith("failed", StringComparison.Ordinal) == true);
        Assert.True(publicity.Phase == TenderBatchPhase.Publicity, publicity.AwardStatus);
        var award = Assert.IsType<AwardView>(await s.Batch.GetAwardAsync());
        Assert.NotEqual(orphan.AwardId, award.AwardId);
        Assert.Equal(AwardModes.CostOptimal, award.Mode);
        Assert.Equal([award.AwardId.ToString()], await AwardsOfBatchAsync(s));
        Assert.Equal(0, await Store.ReadAsync(c => c.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM award_hospital_allocations WHERE award_id = @AwardId", new { AwardId = orphan.AwardId.ToString() })));
        // The stored award still carries the checker's verdict, and the events name the award taken.
        Assert.Equal(AwardCheck.Passed, award.Check?.Verdict);
        Assert.True(award.Check!.Checks > 0);
        events = await Store.ReadAsync(c => EventLog.ForBatchAsync(c, s.BatchId));
        var proposed = Assert.Single(events, e => e.EventType == "AwardProposed");
        var payload = JsonDocument.Parse(proposed.Payload).RootElement;
        Assert.Equal(
            ["awardId", "mode", "ruleSet", "status", "objective", "winners", "regionAllocations", "hospitalAllocations", "unallocatedHospitals"],
            payload.EnumerateObject().Select(p => p.Name));
        Assert.Equal((award.AwardId, "cost-optimal", "Optimal", award.Objective), (payload.GetProperty("awardId").GetGuid(), payload.GetProperty("mode").GetString(), payload.GetProperty("status").GetString(), payload.GetProperty("objective").GetDecimal()));
        Assert.Equal(award.Allocations.Count, payload.GetProperty("regionAllocations").GetInt32());
        Assert.Equal(["AwardProposed", "PhaseChangedToPublicity"], events.SkipWhile(e => e.EventType != "AwardProposed").Select(e => e.EventType));
    }

    [Fact]
    public async Task The_batch_takes_only_a_stored_award_with_the_checkers_pass_and_only_while_Opened()
    {
        var s = await OpenedAsync();
        var batch = fixture.Cluster.SiloGrainFactory.GetGrain<ITenderBatchGrain>(s.BatchId);

        // A verdict other than "passed" in the hand-over is refused before the store is touched.
        var stored = await StoreAsync(s, AwardModes.RankedPick);
        await batch.AwardProposedAsync(stored with { Check = stored.Check with { Verdict = AwardCheck.RuleBroken } });
        await AssertNotTakenAsync(s, "not 'passed'");

        // The store holds the batch to the verdict stored with the award, whatever the hand-over says.
        await Store.WriteAsync(async (c, t) => await c.ExecuteAsync(
            "UPDATE awards SET check_verdict = @Verdict WHERE award_id = @AwardId", new { Verdict = AwardCheck.RuleBroken, AwardId = stored.AwardId.ToString() }, t));
        await batch.AwardProposedAsync(stored);
        await AssertNotTakenAsync(s, "with the checker's verdict 'passed'");

        // An award id the batch's store does not hold is refused alike.
        await batch.AwardProposedAsync(stored with { AwardId = Guid.NewGuid() });
        await AssertNotTakenAsync(s, "not stored for batch");

        var good = await StoreAsync(s, AwardModes.RankedPick);
        await batch.AwardProposedAsync(good);
        var view = await s.Batch.GetAsync();
        Assert.Equal((TenderBatchPhase.Publicity, null), (view.Phase, view.AwardStatus));
        Assert.Equal(good.ProposedAt.AddDays(s.Windows.PublicityDays), view.PublicityEnds);
        Assert.Equal(good.AwardId, (await s.Batch.GetAwardAsync())?.AwardId);

        // Once in Publicity, a late hand-over changes nothing.
        await batch.AwardProposedAsync(good);
        Assert.StartsWith("failed: ", (await s.Batch.GetAsync()).AwardStatus);
        Assert.Equal(good.AwardId, (await s.Batch.GetAwardAsync())?.AwardId);
        var events = await Store.ReadAsync(c => EventLog.ForBatchAsync(c, s.BatchId));
        Assert.Single(events, e => e.EventType == "PhaseChangedToPublicity");
    }

    private async Task AssertNotTakenAsync(Scenario s, string reason)
    {
        var view = await s.Batch.GetAsync();
        Assert.Equal(TenderBatchPhase.Opened, view.Phase);
        Assert.StartsWith("failed: ", view.AwardStatus);
        Assert.Contains(reason, view.AwardStatus);
        Assert.Null(await s.Batch.GetAwardAsync());
    }

    private async Task<Scenario> OpenedAsync()
    {
        var s = NewScenario();
        await s.OpenBiddingAsync();
        await s.Bidder(s.Maker1).SubmitBidAsync("a1", s.Bid(s.Atorvastatin, 2.80m));
        await s.Bidder(s.Maker2).SubmitBidAsync("a2", s.Bid(s.Atorvastatin, 3.08m));
        await s.Bidder(s.Maker1).SubmitBidAsync("b1", s.Bid(s.Amlodipine, 2.80m));
        fixture.Clock.SetUtcNow(s.OpeningDue);
        await s.Batch.OpenBidsAsync();
        return s;
    }

    /// <summary>What the worker does before it hands the award over: solve and store.</summary>
    private async Task<ProposedAward> StoreAsync(Scenario s, string mode)
    {
        var input = await Inputs.LoadInputAsync(s.BatchId, new AwardRequest(mode, new Dictionary<string, decimal>(), 5));
        var award = new AwardEngine(new SolveOptions(TimeSpan.FromSeconds(5), 1)).Run(input, mode);
        Assert.Equal(AwardCheck.Passed, award.Check?.Verdict);
        return await Awards.StoreAsync(s.BatchId, award, fixture.Clock.GetUtcNow(), "test");
    }

    private Task<List<string>> AwardsOfBatchAsync(Scenario s) =>
        Store.ReadAsync(async c => (await c.QueryAsync<string>(AwardsOfBatchSql, new { s.BatchId })).ToList());

    private static async Task<TenderBatchView> WaitAsync(Scenario s, Func<TenderBatchView, bool> done)
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
}

public sealed class SqliteAwardHandOverTests(SqliteClusterFixture fixture) : AwardHandOverTests(fixture), IClassFixture<SqliteClusterFixture>;

public sealed class PostgresAwardHandOverTests(PostgresClusterFixture fixture) : AwardHandOverTests(fixture), IClassFixture<PostgresClusterFixture>;
