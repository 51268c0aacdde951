using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Agreements;
using Procurement.Grains.Agreements.Domain;
using Xunit;

namespace Procurement.Tests.Domain;

/// <summary>The agreement's states and clock at the exact instants, with a stepped clock and no database.</summary>
public sealed class AgreementLifecycleTests
{
    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private static readonly AgreementLifecycle Lifecycle = new([30, 180, 90], Zone);

    /// <summary>January 2028: the agreement ends at 2028-01-01 00:00 in Shanghai (2027-12-31 16:00 UTC).</summary>
    private static readonly int EndMonth = Months.Of(new DateOnly(2028, 1, 1));

    private static readonly DateTimeOffset End = new(2028, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));

    private static ClockedAgreement Agreement(AgreementState state = AgreementState.Active, int notices = 0, string id = "00000000-0000-0000-0000-000000000001") =>
        new(id, "MAKER-1", "ATV", EndMonth, state, notices);

    [Fact]
    public void The_end_is_midnight_of_the_end_month_in_the_business_zone()
    {
        Assert.Equal(End, Lifecycle.EndOf(EndMonth));
        Assert.Equal(new DateTimeOffset(2027, 12, 31, 16, 0, 0, TimeSpan.Zero), Lifecycle.EndOf(EndMonth).ToUniversalTime());
    }

    [Fact]
    public void A_stepped_clock_moves_an_agreement_through_each_window_at_its_exact_instant()
    {
        var agreement = Agreement();
        var tick = TimeSpan.FromMilliseconds(1);
        var steps = new List<(DateTimeOffset At, AgreementState State, int Notices, string Events, DateTimeOffset? Next)>();
        foreach (var at in new[]
        {
            End.AddDays(-180) - tick, End.AddDays(-180), End.AddDays(-90) - tick, End.AddDays(-90),
            End.AddDays(-30) - tick, End.AddDays(-30), End - tick, End,
        })
        {
            var (change, next) = Lifecycle.Tick(agreement, at);
            if (change is not null)
            {
                agreement = agreement with { State = change.State, NoticesSent = change.NoticesSent };
            }
            steps.Add((at, agreement.State, agreement.NoticesSent, string.Join(",", change?.Events ?? []), next));
        }

        Assert.Equal(
        [
            (End.AddDays(-180) - tick, AgreementState.Active, 0, "", End.AddDays(-180)),
            (End.AddDays(-180), AgreementState.Expiring, 1, "ExpiryNotice180Days", End.AddDays(-90)),
            (End.AddDays(-90) - tick, AgreementState.Expiring, 1, "", End.AddDays(-90)),
            (End.AddDays(-90), AgreementState.Expiring, 2, "ExpiryNotice90Days", End.AddDays(-30)),
            (End.AddDays(-30) - tick, AgreementState.Expiring, 2, "", End.AddDays(-30)),
            (End.AddDays(-30), AgreementState.Expiring, 3, "ExpiryNotice30Days", End),
            (End - tick, AgreementState.Expiring, 3, "", End),
            (End, AgreementState.Expired, 3, "AgreementExpired", (DateTimeOffset?)null),
        ], steps);
    }

    [Fact]
    public void Windows_crossed_at_once_are_each_their_own_event()
    {
        var (change, next) = Lifecycle.Tick(Agreement(), End.AddDays(-29));
        Assert.Equal((AgreementState.Expiring, 3, End), (change!.State, change.NoticesSent, next));
        Assert.Equal(["ExpiryNotice180Days", "ExpiryNotice90Days", "ExpiryNotice30Days"], change.Events);

        var (late, none) = Lifecycle.Tick(Agreement(), End.AddMonths(2));
        Assert.Equal(["ExpiryNotice180Days", "ExpiryNotice90Days", "ExpiryNotice30Days", "AgreementExpired"], late!.Events);
        Assert.Equal((AgreementState.Expired, (DateTimeOffset?)null), (late.State, none));
    }

    [Fact]
    public void A_suspended_agreement_gets_its_notices_stays_suspended_and_expires_at_the_end()
    {
        var (notice, _) = Lifecycle.Tick(Agreement(AgreementState.Suspended), End.AddDays(-100));
        Assert.Equal((AgreementState.Suspended, 1), (notice!.State, notice.NoticesSent));
        var (end, next) = Lifecycle.Tick(Agreement(AgreementState.Suspended, 3), End);
        Assert.Equal((AgreementState.Expired, "AgreementExpired", (DateTimeOffset?)null), (end!.State, string.Join(",", end.Events), next));
    }

    [Fact]
    public void A_batch_run_lists_the_changes_and_the_earliest_next_instant()
    {
        var later = Agreement(id: "00000000-0000-0000-0000-000000000002") with { EndMonth = EndMonth + 6 };
        var run = Lifecycle.Tick([Agreement(), later], End.AddDays(-180));
        Assert.Equal("00000000-0000-0000-0000-000000000001", Assert.Single(run.Changes).Before.AgreementId);
        Assert.Equal(End.AddDays(-90), run.NextDue);
        Assert.Equal(Lifecycle.EndOf(EndMonth + 6).AddDays(-180), Lifecycle.Tick([later], End.AddDays(-180)).NextDue);

        var ended = Lifecycle.Tick([Agreement(AgreementState.Expiring, 3)], End);
        Assert.Null(ended.NextDue);
    }

    [Theory]
    [InlineData(AgreementState.Active, AgreementState.Suspended, 0, AgreementState.Suspended, "AgreementSuspended")]
    [InlineData(AgreementState.Expiring, AgreementState.Suspended, 1, AgreementState.Suspended, "AgreementSuspended")]
    [InlineData(AgreementState.Suspended, AgreementState.Active, 0, AgreementState.Active, "AgreementResumed")]
    [InlineData(AgreementState.Suspended, AgreementState.Active, 2, AgreementState.Expiring, "AgreementResumed")]
    [InlineData(AgreementState.Active, AgreementState.Terminated, 0, AgreementState.Terminated, "AgreementTerminated")]
    [InlineData(AgreementState.Suspended, AgreementState.Terminated, 0, AgreementState.Terminated, "AgreementTerminated")]
    public void The_alliance_changes_a_running_agreement(AgreementState from, AgreementState to, int notices, AgreementState state, string eventType)
    {
        var change = Lifecycle.Change(Guid.Empty, new AgreementStanding(from, notices, EndMonth - 24, EndMonth), to, End.AddMonths(-10));
        Assert.Equal((state, eventType), (change.State, change.EventType));
        Assert.Equal(to == AgreementState.Terminated ? EndMonth - 10 : EndMonth, change.EndMonth);
    }

    [Theory]
    [InlineData(AgreementState.Active, AgreementState.Active)]
    [InlineData(AgreementState.Suspended, AgreementState.Suspended)]
    [InlineData(AgreementState.Expired, AgreementState.Terminated)]
    [InlineData(AgreementState.TakenOver, AgreementState.Suspended)]
    [InlineData(AgreementState.Terminated, AgreementState.Active)]
    [InlineData(AgreementState.Active, AgreementState.Expired)]
    public void Other_changes_are_refused(AgreementState from, AgreementState to)
    {
        var error = Assert.Throws<ProcurementException>(() => Lifecycle.Change(Guid.Empty, new AgreementStanding(from, 0, EndMonth - 24, EndMonth), to, End.AddMonths(-10)));
        Assert.Equal(ErrorCodes.InvalidTransition, error.Code);
    }

    [Fact]
    public void A_termination_ends_at_the_current_business_month_never_before_the_second()
    {
        var start = EndMonth - 24;
        // 2026-02-28 23:59 in Shanghai is still February; a minute later it is March.
        var februaryEnd = new DateTimeOffset(2026, 2, 28, 15, 59, 0, TimeSpan.Zero);
        Assert.Equal(Months.Of(new DateOnly(2026, 2, 1)), Lifecycle.EndingMonth(start, februaryEnd));
        Assert.Equal(Months.Of(new DateOnly(2026, 3, 1)), Lifecycle.EndingMonth(start, februaryEnd.AddMinutes(1)));
        Assert.Equal(start + 1, Lifecycle.EndingMonth(start, Lifecycle.EndOf(start).AddDays(3)));
    }
}
