using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;

namespace Procurement.Grains.Agreements.Domain;

/// <summary>The agreement a supply failure is recorded against, as the takeover needs it.</summary>
public sealed record FailedAgreement(
    Guid AgreementId, AgreementState State, string? SpareBidId, long AnnualVolume, int StartMonth, int EndMonth, int AnchorMonth, int NoticesSent, int Version);

/// <summary>When the spare takes over: from <see cref="SwitchMonth"/>, in the agreement year from <see cref="YearStart"/>.</summary>
public sealed record TakeoverStart(int SwitchMonth, int YearStart);

/// <summary>A hospital's part under the successor.</summary>
public sealed record SuccessorPart(string HospitalId, long AnnualVolume, long AnnualAmountE6, long PrepaymentE6, long CarriedUnits);

/// <summary>The successor's terms: version n+1 of the agreement, the spare's, from the switch month to the old end.</summary>
public sealed record Successor(
    string ManufacturerId, string BidId, long UnitPriceE6, long AnnualVolume, long AnnualAmountE6, int StartMonth, int EndMonth, int AnchorMonth,
    AgreementState State, int NoticesSent, int Version, string Reason, IReadOnlyList<SuccessorPart> Parts);

/// <summary>
/// A verified supply failure: the agreement ends at the current month as TakenOver and its spare
/// supplier takes over the rest of the period as a new version, at the spare's own awarded price.
/// Each hospital's agreed volume in the agreement year under way is what the failed supplier had
/// not delivered (its part carries what was delivered); later years are whole.
/// </summary>
public static class SupplyFailureTakeover
{
    /// <summary>Checks the agreement is running and has a spare, and says from which month the spare would take over at <paramref name="at"/>.</summary>
    public static TakeoverStart Begin(FailedAgreement failed, AgreementLifecycle lifecycle, DateTimeOffset at)
    {
        if (!AgreementLifecycle.IsRunning(failed.State))
        {
            throw new ProcurementException(ErrorCodes.InvalidTransition, $"Agreement {failed.AgreementId} is {failed.State}; only a running agreement can be taken over.");
        }
        if (failed.SpareBidId is null)
        {
            throw new ProcurementException(ErrorCodes.NoSpareSupplier, $"Agreement {failed.AgreementId} has no spare supplier; the alliance must award the region anew.", "agreementId");
        }
        var switchMonth = lifecycle.EndingMonth(failed.StartMonth, at);
        return new TakeoverStart(switchMonth, failed.AnchorMonth + (switchMonth - failed.AnchorMonth) / 12 * 12);
    }

    /// <summary>
    /// The successor: the spare (<paramref name="spareManufacturerId"/> at its awarded
    /// <paramref name="spareUnitPriceE6"/>; refused when it has none, or when nothing is left after the switch) with each hospital's
    /// <paramref name="parts"/> and what the failed supplier delivered to it in the year before the switch.
    /// </summary>
    public static Successor Successor(
        FailedAgreement failed,
        TakeoverStart start,
        string? spareManufacturerId,
        long? spareUnitPriceE6,
        IReadOnlyList<(string HospitalId, long AnnualVolume)> parts,
        IReadOnlyDictionary<string, long> delivered,
        decimal prepaymentShare,
        string reason)
    {
        if (spareManufacturerId is null || spareUnitPriceE6 is not { } price)
        {
            throw new ProcurementException(ErrorCodes.NoSpareSupplier, $"The spare supplier of agreement {failed.AgreementId} has no awarded price.", "agreementId");
        }
        if (start.SwitchMonth >= failed.EndMonth)
        {
            throw new ProcurementException(ErrorCodes.InvalidTransition, $"Agreement {failed.AgreementId} ends this month; there is nothing left to take over.");
        }
        var successorParts = parts.Select(p =>
        {
            var amount = checked(p.AnnualVolume * price);
            return new SuccessorPart(p.HospitalId, p.AnnualVolume, amount, Prepayment.Of(amount, prepaymentShare), Math.Min(p.AnnualVolume, delivered.GetValueOrDefault(p.HospitalId)));
        }).ToList();
        return new Successor(
            spareManufacturerId, failed.SpareBidId!, price, failed.AnnualVolume, checked(failed.AnnualVolume * price),
            start.SwitchMonth, failed.EndMonth, failed.AnchorMonth,
            AgreementLifecycle.Continuing(failed.NoticesSent), failed.NoticesSent, failed.Version + 1,
            $"took over after a supply failure: {reason}", successorParts);
    }
}
