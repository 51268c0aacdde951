using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Batches.Domain;
using Procurement.Optimizer.Checking;
using Xunit;
using static Procurement.Tests.Domain.BatchTestData;

namespace Procurement.Tests.Domain;

/// <summary>A batch's phases, each move's guard and its refusal code, at the boundary instants; no database, no clock.</summary>
public sealed class BatchLifecycleTests
{
    private static readonly TenderBatchPhase[] Phases = Enum.GetValues<TenderBatchPhase>();

    private static string Code(Action action) => Assert.Throws<ProcurementException>(action).Code;

    [Fact]
    public void A_batch_moves_forward_one_phase_at_a_time_and_stops_at_awarded()
    {
        var path = new List<TenderBatchPhase> { TenderBatchPhase.Draft };
        while (BatchLifecycle.Next(path[^1]) is { } next)
        {
            path.Add(next);
        }

        Assert.Equal(
        [
            TenderBatchPhase.Draft, TenderBatchPhase.VolumeReporting, TenderBatchPhase.VolumeReportingClosed, TenderBatchPhase.Bidding,
            TenderBatchPhase.Opened, TenderBatchPhase.Publicity, TenderBatchPhase.Awarded,
        ], path);
    }

    [Fact]
    public void Each_move_is_taken_only_from_its_own_phase()
    {
        foreach (var from in Phases.Where(p => BatchLifecycle.Next(p) is not null))
        {
            var to = BatchLifecycle.Next(from)!.Value;
            BatchLifecycle.RequireMove(BatchId, from, from, to);
            foreach (var other in Phases.Where(p => p != from))
            {
                var refused = Assert.Throws<ProcurementException>(() => BatchLifecycle.RequireMove(BatchId, other, from, to));
                Assert.Equal(ErrorCodes.InvalidTransition, refused.Code);
                Assert.Equal($"Batch {BatchId} is in {other}; it moves to {to} only from {from}.", refused.Message);
            }
        }
    }

    [Fact]
    public void A_skipped_or_backward_move_is_a_mistake_of_the_caller_not_a_refusal()
    {
        Assert.Throws<ArgumentException>(() => BatchLifecycle.RequireMove(BatchId, TenderBatchPhase.Draft, TenderBatchPhase.Draft, TenderBatchPhase.Bidding));
        Assert.Throws<ArgumentException>(() => BatchLifecycle.RequireMove(BatchId, TenderBatchPhase.Opened, TenderBatchPhase.Opened, TenderBatchPhase.Bidding));
    }

    [Fact]
    public void Only_a_new_or_draft_batch_is_configured()
    {
        BatchLifecycle.RequireConfigurable(BatchId, null);
        BatchLifecycle.RequireConfigurable(BatchId, TenderBatchPhase.Draft);
        foreach (var phase in Phases.Where(p => p != TenderBatchPhase.Draft))
        {
            var refused = Assert.Throws<ProcurementException>(() => BatchLifecycle.RequireConfigurable(BatchId, phase));
            Assert.Equal((ErrorCodes.InvalidTransition, $"Batch {BatchId} is in {phase}; it can only be configured in Draft."), (refused.Code, refused.Message));
        }
    }

    [Fact]
    public void Hospitals_report_up_to_and_including_the_instant_reporting_closes()
    {
        Assert.True(BatchLifecycle.IsReportingOpen(TenderBatchPhase.VolumeReporting, ReportingCloses, ReportingCloses - Millisecond));
        Assert.True(BatchLifecycle.IsReportingOpen(TenderBatchPhase.VolumeReporting, ReportingCloses, ReportingCloses));
        Assert.False(BatchLifecycle.IsReportingOpen(TenderBatchPhase.VolumeReporting, ReportingCloses, ReportingCloses + Millisecond));
        Assert.False(BatchLifecycle.IsReportingOpen(TenderBatchPhase.VolumeReporting, ReportingCloses, ReportingCloses.AddTicks(1)));
        Assert.All(Phases.Where(p => p != TenderBatchPhase.VolumeReporting),
            p => Assert.False(BatchLifecycle.IsReportingOpen(p, ReportingCloses, ReportingCloses.AddDays(-1))));
    }

    [Fact]
    public void Reminders_to_report_go_out_only_in_volume_reporting()
    {
        BatchLifecycle.RequireRemindable(BatchId, TenderBatchPhase.VolumeReporting);
        Assert.All(Phases.Where(p => p != TenderBatchPhase.VolumeReporting),
            p => Assert.Equal(ErrorCodes.ReportingClosed, Code(() => BatchLifecycle.RequireRemindable(BatchId, p))));
    }

    [Fact]
    public void Bidding_opens_after_reporting_closed_until_the_deadline_itself()
    {
        BatchLifecycle.RequireBiddingOpens(BatchId, TenderBatchPhase.VolumeReportingClosed, BatchWindows, Deadline);

        var late = Assert.Throws<ProcurementException>(() => BatchLifecycle.RequireBiddingOpens(BatchId, TenderBatchPhase.VolumeReportingClosed, BatchWindows, Deadline + Millisecond));
        Assert.Equal((ErrorCodes.DeadlinePassed, "windows.biddingDeadline"), (late.Code, late.Field));
        Assert.Equal(ErrorCodes.DeadlinePassed, Code(() => BatchLifecycle.RequireBiddingOpens(BatchId, TenderBatchPhase.VolumeReportingClosed, BatchWindows, Deadline.AddTicks(1))));
        // Reporting still open: the phase is the refusal, whatever the time.
        Assert.Equal(ErrorCodes.InvalidTransition, Code(() => BatchLifecycle.RequireBiddingOpens(BatchId, TenderBatchPhase.VolumeReporting, BatchWindows, ReportingCloses)));
        Assert.Equal(ErrorCodes.InvalidTransition, Code(() => BatchLifecycle.RequireBiddingOpens(BatchId, TenderBatchPhase.Bidding, BatchWindows, Deadline.AddDays(1))));
    }

    [Fact]
    public void The_opening_moves_a_batch_out_of_bidding_only()
    {
        BatchLifecycle.RequireOpens(BatchId, TenderBatchPhase.Bidding);
        Assert.All(Phases.Where(p => p != TenderBatchPhase.Bidding),
            p => Assert.Equal(ErrorCodes.InvalidTransition, Code(() => BatchLifecycle.RequireOpens(BatchId, p))));
    }

    [Fact]
    public void An_award_runs_on_an_opened_batch_one_run_at_a_time()
    {
        BatchLifecycle.RequireAwardable(BatchId, TenderBatchPhase.Opened, awardRunning: false);
        Assert.Equal(ErrorCodes.AwardRunning, Code(() => BatchLifecycle.RequireAwardable(BatchId, TenderBatchPhase.Opened, awardRunning: true)));
        Assert.All(Phases.Where(p => p != TenderBatchPhase.Opened),
            p => Assert.Equal(ErrorCodes.InvalidTransition, Code(() => BatchLifecycle.RequireAwardable(BatchId, p, awardRunning: false))));
    }

    [Fact]
    public void Only_an_award_the_checker_passed_takes_an_opened_batch_into_publicity()
    {
        var awardId = Guid.NewGuid();
        BatchLifecycle.RequireAwardProposed(BatchId, TenderBatchPhase.Opened, awardId, AwardCheck.Passed);

        var failed = Assert.Throws<ProcurementException>(() => BatchLifecycle.RequireAwardProposed(BatchId, TenderBatchPhase.Opened, awardId, "failed"));
        Assert.Equal((ErrorCodes.InvalidTransition, $"Award {awardId} has the checker's verdict 'failed', not 'passed'; it was not published."), (failed.Code, failed.Message));
        var late = Assert.Throws<ProcurementException>(() => BatchLifecycle.RequireAwardProposed(BatchId, TenderBatchPhase.Publicity, awardId, AwardCheck.Passed));
        Assert.Equal((ErrorCodes.InvalidTransition, $"Batch {BatchId} is in Publicity, no longer Opened; the award was not published."), (late.Code, late.Message));
    }

    [Fact]
    public void The_award_is_final_from_the_last_instant_of_publicity_on()
    {
        var proposed = new DateTimeOffset(2027, 5, 1, 9, 30, 0, 250, TimeSpan.FromHours(8));
        var ends = BatchLifecycle.PublicityEnds(proposed, BatchWindows.PublicityDays);
        Assert.Equal(new DateTimeOffset(2027, 5, 8, 9, 30, 0, 250, TimeSpan.FromHours(8)), ends);

        var early = Assert.Throws<ProcurementException>(() => BatchLifecycle.RequireFinalisable(BatchId, TenderBatchPhase.Publicity, ends, ends - Millisecond));
        Assert.Equal((ErrorCodes.PublicityNotOver, $"The publicity period of batch {BatchId} ends at {ends:O}."), (early.Code, early.Message));
        BatchLifecycle.RequireFinalisable(BatchId, TenderBatchPhase.Publicity, ends, ends);
        BatchLifecycle.RequireFinalisable(BatchId, TenderBatchPhase.Publicity, ends, ends.AddDays(30));
        Assert.All(Phases.Where(p => p != TenderBatchPhase.Publicity),
            p => Assert.Equal(ErrorCodes.InvalidTransition, Code(() => BatchLifecycle.RequireFinalisable(BatchId, p, ends, ends.AddDays(1)))));
    }

    [Fact]
    public void A_publicity_period_of_zero_days_ends_when_the_award_is_proposed()
    {
        var proposed = new DateTimeOffset(2027, 5, 1, 9, 30, 0, TimeSpan.Zero);
        BatchLifecycle.RequireFinalisable(BatchId, TenderBatchPhase.Publicity, BatchLifecycle.PublicityEnds(proposed, 0), proposed);
    }
}
