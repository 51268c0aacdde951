using System.Globalization;
using Procurement.Contracts.Domain;

namespace Procurement.Grains.Agreements.Domain;

/// <summary>A notice to one organisation (alliance, manufacturer or hospital) about a batch's agreements.</summary>
public sealed record Notice(string AudienceKind, string AudienceId, Guid? AgreementId, string Kind, string Message);

/// <summary>
/// Who is told what when agreements change, and in which words: the one place the notices'
/// wording lives. People get one notice per batch and one per manufacturer for each kind of clock
/// event, not one per agreement.
/// </summary>
public static class Notices
{
    public const string Alliance = "alliance";

    public const string Manufacturer = "manufacturer";

    public const string Hospital = "hospital";

    public const string AgreementsCreatedKind = "AgreementsCreated";

    public const string SupplyFailureKind = "SupplyFailureRecorded";

    public const string TakenOverKind = "AgreementTakenOver";

    public const string SupplierChangedKind = "SupplierChanged";

    /// <summary>A batch's agreements were made: the alliance, and each supplier with its products.</summary>
    public static IReadOnlyList<Notice> AgreementsCreated(
        string batchId, string allianceId, int startMonth, int months, IReadOnlyList<(string ManufacturerId, string ProductId)> agreements)
    {
        var notices = new List<Notice>
        {
            new(Alliance, allianceId, null, AgreementsCreatedKind,
                $"{agreements.Count} agreement(s) of batch {batchId} run from {Months.Format(startMonth)} to {Months.Format(startMonth + months - 1)}."),
        };
        foreach (var maker in agreements.GroupBy(a => a.ManufacturerId))
        {
            notices.Add(new(Manufacturer, maker.Key, null, AgreementsCreatedKind,
                $"You hold {maker.Count()} agreement(s) of batch {batchId} ({Products(maker.Select(a => a.ProductId))}), from {Months.Format(startMonth)}."));
        }
        return notices;
    }

    /// <summary>What the clock did to a batch's agreements: per event kind, one notice to the alliance and one to each supplier.</summary>
    public static IReadOnlyList<Notice> Clock(string batchId, string allianceId, IReadOnlyList<ClockChange> changes)
    {
        var notices = new List<Notice>();
        foreach (var kind in changes.SelectMany(c => c.Events.Select(e => (c.Before, Event: e))).GroupBy(c => c.Event))
        {
            var endText = Months.FirstDay(kind.First().Before.EndMonth).AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var what = AgreementLifecycle.NoticeDaysOf(kind.Key) is { } days
                ? $"expire on {endText} ({days} days' notice)"
                : $"expired on {endText}";
            notices.Add(new(Alliance, allianceId, null, kind.Key, $"{kind.Count()} agreement(s) of batch {batchId} {what}."));
            foreach (var maker in kind.GroupBy(c => c.Before.ManufacturerId))
            {
                notices.Add(new(Manufacturer, maker.Key, maker.Count() == 1 ? Guid.Parse(maker.First().Before.AgreementId) : null, kind.Key,
                    $"{maker.Count()} of your agreement(s) of batch {batchId} ({Products(maker.Select(m => m.Before.ProductId))}) {what}."));
            }
        }
        return notices;
    }

    /// <summary>The alliance suspended, resumed or terminated an agreement: the alliance and the supplier.</summary>
    public static IReadOnlyList<Notice> StateChanged(
        string allianceId, Guid agreementId, string manufacturerId, string productId, string regionCode, StateChange change, string reason)
    {
        var message = $"Agreement {agreementId} ({productId}, {regionCode}) is now {change.State}: {reason}";
        return
        [
            new(Alliance, allianceId, agreementId, change.EventType, message),
            new(Manufacturer, manufacturerId, agreementId, change.EventType, message),
        ];
    }

    /// <summary>A supply failure and its takeover: the alliance, the failed supplier, the spare and every hospital of the agreement.</summary>
    public static IReadOnlyList<Notice> SupplyFailure(
        string allianceId, Guid failedId, string failedManufacturerId, string productId, string regionCode, Guid successorId, Successor successor, string reason)
    {
        var message = $"Supply failure on agreement {failedId} ({productId}, {regionCode}): {successor.ManufacturerId} supplies from {Months.Format(successor.StartMonth)} under agreement {successorId}. {reason}";
        var notices = new List<Notice>
        {
            new(Alliance, allianceId, failedId, SupplyFailureKind, message),
            new(Manufacturer, failedManufacturerId, failedId, SupplyFailureKind, message),
            new(Manufacturer, successor.ManufacturerId, successorId, TakenOverKind, message),
        };
        notices.AddRange(successor.Parts.Select(p => new Notice(Hospital, p.HospitalId, successorId, SupplierChangedKind, message)));
        return notices;
    }

    private static string Products(IEnumerable<string> productIds) => string.Join(", ", productIds.Distinct().Order(StringComparer.Ordinal));
}
