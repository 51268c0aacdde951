using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Agreements.Domain;

namespace Procurement.Grains.Orders.Domain;

/// <summary>
/// An agreement a hospital may order under: its part of it, with the agreed price and the alliance;
/// for a consumables product system, the agreed price of each component bought separately
/// (<see cref="ComponentPricesE6"/>, null for a drug or a consumable bought per unit).
/// </summary>
public sealed record OrderableAgreement(HospitalAgreement Part, string AllianceId, long UnitPriceE6, IReadOnlyDictionary<string, long>? ComponentPricesE6 = null)
{
    /// <summary>The selected product's molecule (generic name); null for a consumables category.</summary>
    public string? Molecule { get; init; }

    public string AgreementId => Part.AgreementId;

    public string ProductId => Part.ProductId;

    public string ManufacturerId => Part.ManufacturerId;

    /// <summary>Open for orders in <paramref name="month"/>: in its period, and neither suspended nor ended.</summary>
    public bool OpenIn(int month) =>
        Part.Covers(month) && (AgreementState)Part.State is AgreementState.Active or AgreementState.Expiring;
}

/// <summary>A price listed by an alliance of the hospital's region; with the product's molecule (null for a consumables category).</summary>
public sealed record ListedOffer(string AllianceId, string ProductId, string ManufacturerId, long UnitPriceE6, string? Molecule = null);

/// <summary>How one requested line is bought: kind, supplier, price and its draw-down.</summary>
public sealed record RoutedLine(
    OrderLineKind Kind,
    string ManufacturerId,
    long UnitPriceE6,
    string? AgreementId,
    int? YearStart,
    string? AllianceId,
    long Quantity,
    long SurplusUnits,
    string? ComponentId = null);

/// <summary>
/// Prices and routes order lines by the hospital's agreements, the way the platform's rules put
/// it: the selected product first, from the hospital's agreement supplier at the agreed price,
/// drawn down against the agreed volume of the agreement year under way; beyond what remains the
/// line still goes at the agreed price and its excess is marked surplus; another brand of a
/// selected product, or another product of a selected product's molecule, needs a stated reason and
/// is priced and counted apart (a substitute); any other product without an agreement goes at the
/// price an alliance of the hospital's region listed. The draw-down is kept
/// across the lines of one order, so two lines of the same product cannot both take the remainder.
/// A component of a consumables product system (a revision) is bought only under the system's
/// agreement, from its supplier, at the agreed component price, and draws nothing down: the agreed
/// volume is in whole systems (<see cref="RouteComponent"/>).
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
        if (line.ComponentId is not null)
        {
            return RouteComponent(line, agreement, wanted, field);
        }
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
        // Another product of a molecule the hospital has a selected product of (open for orders) is
        // a non-selected substitute: it needs a stated reason and is counted apart, as another brand
        // of the selected product is.
        var selected = best.Molecule is { } molecule
            ? agreements.Where(a => a.Molecule == molecule && a.OpenIn(month)).OrderBy(a => a.ProductId, StringComparer.Ordinal).FirstOrDefault()
            : null;
        if (selected is not null)
        {
            if (string.IsNullOrWhiteSpace(line.SubstituteReason))
            {
                throw new ProcurementException(ErrorCodes.SubstituteReasonRequired,
                    $"{line.ProductId} is not selected: {selected.ProductId} of the same molecule is, from {selected.ManufacturerId}; ordering {line.ProductId} instead needs a reason.",
                    $"{field}.substituteReason");
            }
            return new RoutedLine(OrderLineKind.Substitute, best.ManufacturerId, best.UnitPriceE6, null, null, best.AllianceId, line.Quantity, 0);
        }
        return new RoutedLine(OrderLineKind.Listed, best.ManufacturerId, best.UnitPriceE6, null, null, best.AllianceId, line.Quantity, 0);
    }

    /// <summary>
    /// A component bought separately. Our rule (DOMAIN.md says only that a system has component
    /// prices for separate purchases): under the hospital's open agreement for the system's
    /// category, from that agreement's supplier, at the component price the agreement keeps; the
    /// line counts apart from the agreed volume (no draw-down, no surplus), since that volume is in
    /// whole systems and a revision's single cup is not a system.
    /// </summary>
    private RoutedLine RouteComponent(OrderLineRequest line, OrderableAgreement? agreement, string? wanted, string field)
    {
        if (agreement is null)
        {
            throw new ProcurementException(ErrorCodes.ProductNotOrderable,
                $"{line.ProductId} has no agreement open for this hospital: a component is bought only under its system's agreement.", $"{field}.productId");
        }
        if (agreement.ComponentPricesE6 is not { } prices)
        {
            throw new ProcurementException(ErrorCodes.ComponentNotOnSystem,
                $"{line.ProductId} is not bought as a product system: it has no components to buy separately.", $"{field}.componentId");
        }
        if (!prices.TryGetValue(line.ComponentId!, out var priceE6))
        {
            throw new ProcurementException(ErrorCodes.ComponentNotInSystem,
                $"The {line.ProductId} system has no component {line.ComponentId}; it has {string.Join(", ", prices.Keys.Order(StringComparer.Ordinal))}.", $"{field}.componentId");
        }
        if (wanted is not null && wanted != agreement.ManufacturerId)
        {
            throw new ProcurementException(ErrorCodes.PriceNotListed,
                $"A component of {line.ProductId} is bought from the system's agreement supplier {agreement.ManufacturerId}, not {wanted}.", $"{field}.manufacturerId");
        }
        return new RoutedLine(OrderLineKind.Agreed, agreement.ManufacturerId, priceE6, agreement.AgreementId, agreement.Part.YearStart(month), agreement.AllianceId,
            line.Quantity, 0, line.ComponentId);
    }
}
