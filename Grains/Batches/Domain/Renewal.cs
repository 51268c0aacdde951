using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;

namespace Procurement.Grains.Batches.Domain;

/// <summary>
/// A renewal (continuation) round: it starts from an awarded batch with agreements about to
/// expire, continues the newest version of each product's agreement in each region that still
/// runs, and puts each continued product up again with the highest price now paid for it as its
/// maximum valid price. The new batch has an id, name, windows and agreement period of its own.
/// </summary>
public static class Renewal
{
    /// <summary>A renewal starts from an awarded batch with at least one agreement in its notice windows.</summary>
    public static void RequireRenewable(string batchId, string renewalId, TenderBatchPhase phase, IReadOnlyList<Agreement> agreements)
    {
        if (renewalId == batchId)
        {
            throw ProcurementException.Invalid("batchId", "The renewal batch needs an id of its own.");
        }
        if (phase != TenderBatchPhase.Awarded || !agreements.Any(a => a.State == AgreementState.Expiring))
        {
            throw new ProcurementException(ErrorCodes.NotExpiring, $"Batch {batchId} has no expiring agreements; a renewal starts from an expiring batch.");
        }
    }

    /// <summary>The agreements to continue: the newest version in each product and region that still runs (expiring, active or suspended).</summary>
    public static IReadOnlyList<Agreement> Continued(IEnumerable<Agreement> agreements) =>
        agreements
            .Where(a => a.State is AgreementState.Expiring or AgreementState.Active or AgreementState.Suspended)
            .GroupBy(a => (a.ProductId, a.RegionCode))
            .Select(g => g.OrderByDescending(a => a.Version).First())
            .ToList();

    /// <summary>
    /// The renewal batch's definition: the previous batch's alliance, regions, hospitals, rule set
    /// and opening committee, the continued products only, each with the highest unit price of its
    /// continued agreements as its maximum valid price, the continued consumables categories
    /// (<paramref name="consumables"/>, from <see cref="ConsumableRenewal.Terms"/>; null for a drug
    /// batch or when none continues), and the request's name, windows and period.
    /// </summary>
    public static TenderBatchDefinition Definition(TenderBatchDefinition previous, RenewalRequest request, IReadOnlyList<Agreement> continued, ConsumableTerms? consumables) =>
        previous with
        {
            Name = request.Name,
            Products = previous.Products
                .Where(p => continued.Any(a => a.ProductId == p.ProductId))
                .Select(p => new BatchProduct(p.ProductId, continued.Where(a => a.ProductId == p.ProductId).Max(a => a.UnitPrice)))
                .ToList(),
            Windows = request.Windows,
            AgreementMonths = request.AgreementMonths,
            Consumables = consumables,
        };
}
