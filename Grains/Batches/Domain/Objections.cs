using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;

namespace Procurement.Grains.Batches.Domain;

/// <summary>Where an objection stands: filed and waiting for the alliance's answer, or answered (final).</summary>
public enum ObjectionState
{
    Open,
    Answered,
}

/// <summary>
/// Objections to a proposed award. A bidder objects while the award is in publicity, up to and
/// including the period's last instant, with one open objection at a time (objections name no
/// product, so a second waits for the answer to the first). The alliance answers each once,
/// while the batch is in publicity (also after the period, until it finalises), and the award
/// becomes final only when none is open. That only a firm that bid may object is checked against
/// the opened bids where the objection is stored.
/// </summary>
public static class Objections
{
    public static ObjectionState StateOf(Objection objection) => objection.Answer is null ? ObjectionState.Open : ObjectionState.Answered;

    /// <summary>Objections are filed in Publicity, no later than its end (a batch whose end is not known yet takes them).</summary>
    public static void RequireFilingOpen(string batchId, TenderBatchPhase phase, DateTimeOffset? publicityEnds, DateTimeOffset now)
    {
        if (phase != TenderBatchPhase.Publicity || now > publicityEnds)
        {
            throw new ProcurementException(ErrorCodes.NotInPublicity, $"Batch {batchId} is not in its publicity period; objections are not accepted.");
        }
    }

    /// <summary>A bidder files another objection only once its earlier ones are answered.</summary>
    public static void RequireNoneOpen(string batchId, string manufacturerId, IEnumerable<Objection> filed)
    {
        if (filed.Any(o => o.ManufacturerId == manufacturerId && StateOf(o) == ObjectionState.Open))
        {
            throw new ProcurementException(ErrorCodes.ObjectionAlreadyOpen,
                $"Manufacturer {manufacturerId} has an unanswered objection in batch {batchId}; file another once it is answered.", "text");
        }
    }

    /// <summary>Objections are answered while the batch is in Publicity.</summary>
    public static void RequireAnswering(string batchId, TenderBatchPhase phase)
    {
        if (phase != TenderBatchPhase.Publicity)
        {
            throw new ProcurementException(ErrorCodes.NotInPublicity, $"Batch {batchId} is in {phase}; objections are answered during publicity.");
        }
    }

    /// <summary>An objection is answered once: one of this batch's, still open.</summary>
    public static void RequireAnswerable(string batchId, Guid objectionId, IEnumerable<Objection> filed)
    {
        if (!filed.Any(o => o.ObjectionId == objectionId && StateOf(o) == ObjectionState.Open))
        {
            throw new ProcurementException(ErrorCodes.ObjectionNotFound, $"Objection {objectionId} does not exist in batch {batchId} or was already answered.", "objectionId");
        }
    }

    /// <summary>The award becomes final only once every objection to it is answered.</summary>
    public static void RequireAllAnswered(string batchId, IEnumerable<Objection> filed)
    {
        var open = filed.Count(o => StateOf(o) == ObjectionState.Open);
        if (open > 0)
        {
            throw new ProcurementException(ErrorCodes.ObjectionsUnanswered, $"{open} objection(s) to batch {batchId} are unanswered; answer them before finalising.");
        }
    }
}
