using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Optimizer.Checking;

namespace Procurement.Grains.Batches.Domain;

/// <summary>
/// A tender batch's phases and the moves between them, with what each move requires. A batch only
/// moves forward, one phase at a time: Draft -> VolumeReporting -> VolumeReportingClosed -> Bidding
/// -> Opened -> Publicity -> Awarded. Instants are passed in (the grain reads its clock once per
/// call), so each boundary is decided here, to the tick, and tested without a clock or a database.
/// The opening's own conditions are <see cref="SealedBidding"/>'s, the objections' <see cref="Objections"/>'.
/// </summary>
public static class BatchLifecycle
{
    /// <summary>The phase a batch moves to from <paramref name="phase"/>; null from the last.</summary>
    public static TenderBatchPhase? Next(TenderBatchPhase phase) => phase switch
    {
        TenderBatchPhase.Draft => TenderBatchPhase.VolumeReporting,
        TenderBatchPhase.VolumeReporting => TenderBatchPhase.VolumeReportingClosed,
        TenderBatchPhase.VolumeReportingClosed => TenderBatchPhase.Bidding,
        TenderBatchPhase.Bidding => TenderBatchPhase.Opened,
        TenderBatchPhase.Opened => TenderBatchPhase.Publicity,
        TenderBatchPhase.Publicity => TenderBatchPhase.Awarded,
        _ => null,
    };

    /// <summary>
    /// A batch in <paramref name="phase"/> moves from <paramref name="from"/> to <paramref name="to"/>
    /// only when it is in <paramref name="from"/>; otherwise <see cref="ErrorCodes.InvalidTransition"/>.
    /// A move that is not one of the lifecycle's steps is a mistake in the caller, not the user's.
    /// </summary>
    public static void RequireMove(string batchId, TenderBatchPhase phase, TenderBatchPhase from, TenderBatchPhase to)
    {
        if (Next(from) != to)
        {
            throw new ArgumentException($"A batch never moves from {from} to {to}.", nameof(to));
        }
        if (phase != from)
        {
            throw new ProcurementException(ErrorCodes.InvalidTransition, $"Batch {batchId} is in {phase}; it moves to {to} only from {from}.");
        }
    }

    /// <summary>The definition is set (and set again) only in Draft; a batch not yet stored (null) is configured the first time.</summary>
    public static void RequireConfigurable(string batchId, TenderBatchPhase? phase)
    {
        if (phase is { } current && current != TenderBatchPhase.Draft)
        {
            throw new ProcurementException(ErrorCodes.InvalidTransition, $"Batch {batchId} is in {current}; it can only be configured in Draft.");
        }
    }

    /// <summary>
    /// Hospitals report while the batch is in volume reporting, up to and including the instant
    /// reporting closes; the alliance closes the phase itself, before or after that instant.
    /// </summary>
    public static bool IsReportingOpen(TenderBatchPhase phase, DateTimeOffset reportingCloses, DateTimeOffset at) =>
        phase == TenderBatchPhase.VolumeReporting && at <= reportingCloses;

    /// <summary>Reminders to report go out only while volume reporting is open.</summary>
    public static void RequireRemindable(string batchId, TenderBatchPhase phase)
    {
        if (phase != TenderBatchPhase.VolumeReporting)
        {
            throw new ProcurementException(ErrorCodes.ReportingClosed, $"Batch {batchId} is in {phase}; reminders go out while volume reporting is open.", "batchId");
        }
    }

    /// <summary>
    /// Bidding opens once reporting is closed and no later than the bidding deadline itself (a
    /// bidding window that has already ended would refuse every bid).
    /// </summary>
    public static void RequireBiddingOpens(string batchId, TenderBatchPhase phase, TenderWindows windows, DateTimeOffset now)
    {
        if (phase == TenderBatchPhase.VolumeReportingClosed && now > windows.BiddingDeadline)
        {
            throw new ProcurementException(
                ErrorCodes.DeadlinePassed,
                $"The bidding deadline {windows.BiddingDeadline:O} has passed; bidding cannot open.",
                "windows.biddingDeadline");
        }
        RequireMove(batchId, phase, TenderBatchPhase.VolumeReportingClosed, TenderBatchPhase.Bidding);
    }

    /// <summary>The opening moves the batch out of Bidding; when it is due is <see cref="SealedBidding.IsOpeningDue"/>.</summary>
    public static void RequireOpens(string batchId, TenderBatchPhase phase)
    {
        if (phase != TenderBatchPhase.Bidding)
        {
            throw new ProcurementException(ErrorCodes.InvalidTransition, $"Batch {batchId} is in {phase}; it opens only from Bidding.");
        }
    }

    /// <summary>An award runs on an opened batch, one run at a time.</summary>
    public static void RequireAwardable(string batchId, TenderBatchPhase phase, bool awardRunning)
    {
        if (phase != TenderBatchPhase.Opened)
        {
            throw new ProcurementException(ErrorCodes.InvalidTransition, $"Batch {batchId} is in {phase}; it is awarded only when Opened.");
        }
        if (awardRunning)
        {
            throw new ProcurementException(ErrorCodes.AwardRunning, $"The award of batch {batchId} is already running.");
        }
    }

    /// <summary>
    /// A proposed award takes the batch into publicity only if the rule checker passed it and the
    /// batch is still Opened (a second run finishing late finds it in Publicity already).
    /// </summary>
    public static void RequireAwardProposed(string batchId, TenderBatchPhase phase, Guid awardId, string verdict)
    {
        if (verdict != AwardCheck.Passed)
        {
            throw new ProcurementException(ErrorCodes.InvalidTransition,
                $"Award {awardId} has the checker's verdict '{verdict}', not '{AwardCheck.Passed}'; it was not published.");
        }
        if (phase != TenderBatchPhase.Opened)
        {
            throw new ProcurementException(ErrorCodes.InvalidTransition, $"Batch {batchId} is in {phase}, no longer Opened; the award was not published.");
        }
    }

    /// <summary>The publicity period ends <see cref="TenderWindows.PublicityDays"/> whole days after the award was proposed.</summary>
    public static DateTimeOffset PublicityEnds(DateTimeOffset proposedAt, int publicityDays) => proposedAt.AddDays(publicityDays);

    /// <summary>
    /// The award becomes final from Publicity once the period is over, from its last instant on
    /// (objections are still filed at that instant; <see cref="Objections.RequireFilingOpen"/>).
    /// Every objection must be answered first (<see cref="Objections.RequireAllAnswered"/>).
    /// </summary>
    public static void RequireFinalisable(string batchId, TenderBatchPhase phase, DateTimeOffset? publicityEnds, DateTimeOffset now)
    {
        if (phase != TenderBatchPhase.Publicity)
        {
            throw new ProcurementException(ErrorCodes.InvalidTransition, $"Batch {batchId} is not in Publicity; it cannot be finalised.");
        }
        if (now < publicityEnds)
        {
            throw new ProcurementException(ErrorCodes.PublicityNotOver, $"The publicity period of batch {batchId} ends at {publicityEnds:O}.");
        }
    }
}
