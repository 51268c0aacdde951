using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;

namespace Procurement.Grains.Agreements.Domain;

/// <summary>An agreement as the clock sees it.</summary>
public sealed record ClockedAgreement(string AgreementId, string ManufacturerId, string ProductId, int EndMonth, AgreementState State, int NoticesSent);

/// <summary>What the clock made of one agreement: its new state, the notices now sent and the events, in order.</summary>
public sealed record ClockChange(ClockedAgreement Before, AgreementState State, int NoticesSent, IReadOnlyList<string> Events);

/// <summary>The changes due at one instant, and when the next one falls due (null when none remains).</summary>
public sealed record ClockRun(IReadOnlyList<ClockChange> Changes, DateTimeOffset? NextDue);

/// <summary>Where an agreement stands: what the alliance's changes depend on, and what a change is conditional on.</summary>
public sealed record AgreementStanding(AgreementState State, int NoticesSent, int StartMonth, int EndMonth);

/// <summary>An alliance's change to an agreement, as allowed: the state it takes, its (maybe earlier) end, the event.</summary>
public sealed record StateChange(AgreementState State, int EndMonth, string EventType);

/// <summary>
/// An agreement's states and its clock. Active -> Expiring (inside the first notice window) ->
/// Expired (at the end of its last month); the alliance suspends (and resumes), terminates (it ends
/// at the current month) or, after a supply failure, has the spare take over
/// (<see cref="SupplyFailureTakeover"/>). Notice windows are days before the end; months begin at
/// midnight in the business time zone.
/// </summary>
public sealed class AgreementLifecycle
{
    public const string ExpiredEvent = "AgreementExpired";

    private readonly IReadOnlyList<int> _noticeDays;

    private readonly TimeZoneInfo _zone;

    /// <param name="noticeDays">The notice windows in days before the end, any order.</param>
    public AgreementLifecycle(IEnumerable<int> noticeDays, TimeZoneInfo zone)
    {
        _noticeDays = noticeDays.OrderByDescending(d => d).ToList();
        _zone = zone;
    }

    public static AgreementLifecycle From(AgreementOptions options) => new(options.NoticeDays, options.Zone());

    /// <summary>The states the clock still moves (the others have ended).</summary>
    public static IReadOnlyList<AgreementState> Running { get; } = [AgreementState.Active, AgreementState.Expiring, AgreementState.Suspended];

    public static string NoticeEvent(int days) => $"ExpiryNotice{days}Days";

    /// <summary>The notice window of a notice event, or null for the expiry.</summary>
    public static int? NoticeDaysOf(string eventType) =>
        eventType.StartsWith("ExpiryNotice", StringComparison.Ordinal) ? int.Parse(eventType["ExpiryNotice".Length..^"Days".Length], System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>The instant an agreement ending at (before) <paramref name="endMonth"/> ends.</summary>
    public DateTimeOffset EndOf(int endMonth) => Months.Begins(endMonth, _zone);

    /// <summary>
    /// What is due at <paramref name="now"/> for one running agreement: each notice window passed
    /// (each its own event, also when several are passed at once; the first makes an active agreement
    /// Expiring) and the end (Expired). A suspended agreement gets its notices and expires but stays
    /// suspended until then.
    /// </summary>
    public (ClockChange? Change, DateTimeOffset? NextDue) Tick(ClockedAgreement agreement, DateTimeOffset now)
    {
        var end = EndOf(agreement.EndMonth);
        var state = agreement.State;
        var sent = agreement.NoticesSent;
        var events = new List<string>();
        while (sent < _noticeDays.Count && now >= end.AddDays(-_noticeDays[sent]))
        {
            events.Add(NoticeEvent(_noticeDays[sent]));
            sent++;
            if (state == AgreementState.Active)
            {
                state = AgreementState.Expiring;
            }
        }
        if (now >= end)
        {
            state = AgreementState.Expired;
            events.Add(ExpiredEvent);
        }
        DateTimeOffset? next = state == AgreementState.Expired ? null : sent < _noticeDays.Count ? end.AddDays(-_noticeDays[sent]) : end;
        return (events.Count > 0 ? new ClockChange(agreement, state, sent, events) : null, next);
    }

    /// <summary>The clock over a batch's running agreements at <paramref name="now"/>.</summary>
    public ClockRun Tick(IEnumerable<ClockedAgreement> agreements, DateTimeOffset now)
    {
        var changes = new List<ClockChange>();
        DateTimeOffset? next = null;
        foreach (var agreement in agreements)
        {
            var (change, due) = Tick(agreement, now);
            if (change is not null)
            {
                changes.Add(change);
            }
            if (due is { } d && (next is null || d < next))
            {
                next = d;
            }
        }
        return new ClockRun(changes, next);
    }

    /// <summary>
    /// The alliance's change of an agreement from where it stands to <paramref name="to"/>
    /// (Suspended, Active to resume, Terminated), or <see cref="ErrorCodes.InvalidTransition"/>.
    /// Resuming returns to the state the clock gives it (Expiring once a notice went out);
    /// terminating ends it at the current month (<see cref="EndingMonth"/>).
    /// </summary>
    public StateChange Change(Guid agreementId, AgreementStanding standing, AgreementState to, DateTimeOffset at)
    {
        var from = standing.State;
        var allowed = to switch
        {
            AgreementState.Suspended => from is AgreementState.Active or AgreementState.Expiring,
            AgreementState.Active => from == AgreementState.Suspended,
            AgreementState.Terminated => IsRunning(from),
            _ => false,
        };
        if (!allowed)
        {
            throw new ProcurementException(ErrorCodes.InvalidTransition, $"Agreement {agreementId} is {from}; it cannot become {to}.");
        }
        var state = to == AgreementState.Active ? Continuing(standing.NoticesSent) : to;
        return new StateChange(
            state,
            to == AgreementState.Terminated ? EndingMonth(standing.StartMonth, at) : standing.EndMonth,
            $"Agreement{(to == AgreementState.Active ? "Resumed" : to.ToString())}");
    }

    public static bool IsRunning(AgreementState state) => state is AgreementState.Active or AgreementState.Expiring or AgreementState.Suspended;

    /// <summary>The state a new version starts in: Expiring when its predecessor's notices already went out.</summary>
    public static AgreementState Continuing(int noticesSent) => noticesSent > 0 ? AgreementState.Expiring : AgreementState.Active;

    /// <summary>The month a change made at <paramref name="at"/> ends an agreement: the current month, never before its second month.</summary>
    public int EndingMonth(int startMonth, DateTimeOffset at) => Math.Max(startMonth + 1, Months.Of(at, _zone));
}
