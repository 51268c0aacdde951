using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Agreements.Domain;

namespace Procurement.Grains.Orders.Domain;

/// <summary>An agreement a hospital may order under: its part of it, with the agreed price and the alliance.</summary>
public sealed record OrderableAgreement(HospitalAgreement Part, string AllianceId, long UnitPriceE6)
{
    public string AgreementId => Part.AgreementId;

    public string ProductId => Part.ProductId;

    public string ManufacturerId => Part.ManufacturerId;

    /// <summary>Open for orders in <paramref name="month"/>: in its period, and neither suspended nor ended.</summary>
    public bool OpenIn(int month) =>
        Part.Covers(month) && (AgreementState)Part.State is AgreementState.Active or AgreementState.Expiring;
}

/// <summary>A price listed by an alliance of the hospital's region.</summary>
public sealed record ListedOffer(string AllianceId, string ProductId, string ManufacturerId, long UnitPriceE6);

/// <summary>How one requested line is bought: kind, supplier, price and its draw-down.</summary>
public sealed record RoutedLine(
    OrderLineKind Kind,
    string ManufacturerId,
    long UnitPriceE6,
    string? AgreementId,
    int? YearStart,
    string? AllianceId,
    long Quantity,
    long SurplusUnits);

/// <summary>
/// Prices and routes order lines by the hospital's agreements, the way the platform's rules put
/// it: the selected product first, from the hospital's agreement supplier at the agreed price,
/// drawn down against the agreed volume of the agreement year under way; beyond what remains the
/// line still goes at the agreed price and its excess is marked surplus; another brand of a
/// selected product needs a stated reason and is priced and counted apart; a product without an
/// agreement goes at the price an alliance of the hospital's region listed. The draw-down is kept
/// across the lines of one order, so two lines of the same product cannot both take the remainder.
/// </summary>
public sealed class OrderRouting(
    int month,
    IReadOnlyList<OrderableAgreement> agreements,
    IReadOnlyList<ListedOffer> listed,
    IReadOnlyDictionary<(string AgreementId, int YearStart), long> drawn)
{
    private readonly Dictionary<(string, int), long> _drawn = new(drawn);

    public RoutedLine Route(OrderLineRequest line, string field)
    {
        var agreement = agreements.Where(a => a.ProductId == line.ProductId && a.OpenIn(month))
            .OrderByDescending(a => a.Part.StartMonth).FirstOrDefault();
        var wanted = string.IsNullOrWhiteSpace(line.ManufacturerId) ? null : line.ManufacturerId;
        if (agreement is not null && (wanted is null || wanted == agreement.ManufacturerId))
        {
            var yearStart = agreement.Part.YearStart(month);
            var key = (agreement.AgreementId, yearStart);
            var drawnSoFar = _drawn.GetValueOrDefault(key);
            var remaining = Math.Max(0, agreement.Part.AgreedIn(month, drawnSoFar) - drawnSoFar);
            var surplus = Math.Max(0, line.Quantity - remaining);
            _drawn[key] = drawnSoFar + (line.Quantity - surplus);
            return new RoutedLine(OrderLineKind.Agreed, agreement.ManufacturerId, agreement.UnitPriceE6, agreement.AgreementId, yearStart, agreement.AllianceId, line.Quantity, surplus);
        }
        if (agreement is not null)
        {
            if (string.IsNullOrWhiteSpace(line.SubstituteReason))
            {
                throw new ProcurementException(ErrorCodes.SubstituteReasonRequired,
                    $"{line.ProductId} is a selected product from {agreement.ManufacturerId}; ordering {wanted} instead needs a reason.", $"{field}.substituteReason");
            }
            var offer = listed.FirstOrDefault(o => o.ProductId == line.ProductId && o.ManufacturerId == wanted && o.AllianceId == agreement.AllianceId)
                ?? listed.FirstOrDefault(o => o.ProductId == line.ProductId && o.ManufacturerId == wanted)
                ?? throw new ProcurementException(ErrorCodes.PriceNotListed,
                    $"No price is listed for {line.ProductId} from {wanted}: a substitute is bought at a listed price.", $"{field}.manufacturerId");
            return new RoutedLine(OrderLineKind.Substitute, offer.ManufacturerId, offer.UnitPriceE6, null, null, offer.AllianceId, line.Quantity, 0);
        }
        var offers = listed.Where(o => o.ProductId == line.ProductId && (wanted is null || o.ManufacturerId == wanted)).ToList();
        if (offers.Count == 0)
        {
            throw wanted is null
                ? new ProcurementException(ErrorCodes.ProductNotOrderable,
                    $"{line.ProductId} has no agreement open for this hospital and no listed price.", $"{field}.productId")
                : new ProcurementException(ErrorCodes.PriceNotListed,
                    $"No price is listed for {line.ProductId} from {wanted}.", $"{field}.manufacturerId");
        }
        if (offers.Select(o => o.ManufacturerId).Distinct().Count() > 1)
        {
            throw new ProcurementException(ErrorCodes.ManufacturerRequired,
                $"{line.ProductId} is listed from {string.Join(", ", offers.Select(o => o.ManufacturerId).Distinct().Order(StringComparer.Ordinal))}: name the manufacturer.", $"{field}.manufacturerId");
        }
        // Two alliances of the region may list the same brand: the lower price is the hospital's.
        var best = offers.OrderBy(o => o.UnitPriceE6).ThenBy(o => o.AllianceId, StringComparer.Ordinal).First();
        return new RoutedLine(OrderLineKind.Listed, best.ManufacturerId, best.UnitPriceE6, null, null, best.AllianceId, line.Quantity, 0);
    }
}
