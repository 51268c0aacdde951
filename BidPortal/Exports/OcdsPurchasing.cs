using System.Text.Json;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Exports;

/// <summary>
/// The purchasing after the award as OCDS contract implementation (docs/OCDS.md, "Implementation"):
/// per agreement, the purchase order lines placed against it (VBP extension), their accepted
/// deliveries (core milestones of type <c>delivery</c>) and the payments of those deliveries'
/// invoices (core transactions, paid by the hospital or by the alliance's insurance fund). Also
/// says which organisations this adds to the parties and in which roles. Pure, like <see cref="OcdsExport"/>.
/// </summary>
internal sealed class OcdsPurchasing
{
    private readonly ILookup<Guid, OrderLine> _linesByAgreement;
    private readonly ILookup<(Guid OrderId, int LineNo), Delivery> _deliveriesByLine;
    private readonly Dictionary<Guid, Invoice> _invoicesByDelivery = [];
    private readonly Dictionary<Guid, Payment> _paymentsByInvoice = [];
    private readonly Dictionary<string, string> _hospitalNames = new(StringComparer.Ordinal);
    private readonly Func<string, OcdsOrganizationReference> _organisation;
    private readonly string _allianceId;
    private readonly string _allianceName;

    public OcdsPurchasing(BatchPurchasing purchasing, IReadOnlyList<Hospital> hospitals, string allianceId, string allianceName, Func<string, OcdsOrganizationReference> organisation)
    {
        _linesByAgreement = purchasing.Lines.Where(l => l.AgreementId is not null).ToLookup(l => l.AgreementId!.Value);
        _deliveriesByLine = purchasing.AcceptedDeliveries
            .Where(d => d.State == DeliveryState.Accepted)
            .ToLookup(d => (d.OrderId, d.LineNo));
        foreach (var invoice in purchasing.Invoices)
        {
            _invoicesByDelivery.TryAdd(invoice.DeliveryId, invoice);
        }

        foreach (var payment in purchasing.Payments)
        {
            _paymentsByInvoice.TryAdd(payment.InvoiceId, payment);
        }

        foreach (var hospital in hospitals)
        {
            _hospitalNames.TryAdd(hospital.Id, hospital.Name);
        }

        _organisation = organisation;
        _allianceId = allianceId;
        _allianceName = allianceName;
        Truncated = purchasing.Truncated;
    }

    /// <summary>Whether the read stopped at its limit, so later lines (and what hangs on them) are missing.</summary>
    public bool Truncated { get; }

    /// <summary>The party id of an alliance's medical insurance fund: the fund has no id of its own in the system, it acts for the alliance.</summary>
    public static string FundId(string allianceId) => $"{allianceId}-insurance-fund";

    /// <summary>
    /// The implementation of one agreement, or null while nothing was ordered against it. Each
    /// purchase order of a <paramref name="consumable"/> agreement names the contract item it buys.
    /// </summary>
    public OcdsImplementation? Implementation(Agreement agreement, bool consumable)
    {
        var lines = _linesByAgreement[agreement.AgreementId].ToList();
        if (lines.Count == 0)
        {
            return null;
        }

        var orders = lines.Select(l => PurchaseOrder(l, consumable)).ToList();
        var deliveries = lines
            .SelectMany(l => _deliveriesByLine[(l.OrderId, l.LineNo)].Select(d => (Line: l, Delivery: d)))
            .OrderBy(x => x.Delivery.ShippedAt)
            .ThenBy(x => x.Delivery.DeliveryId)
            .ToList();
        var milestones = deliveries.Select(x => Milestone(x.Line, x.Delivery)).ToList();
        var transactions = deliveries
            .Select((x, i) => (x.Line, Milestone: milestones[i], Invoice: _invoicesByDelivery.GetValueOrDefault(x.Delivery.DeliveryId)))
            .Where(x => x.Invoice is not null)
            .Select(x => (x.Line, x.Milestone, Invoice: x.Invoice!, Payment: _paymentsByInvoice.GetValueOrDefault(x.Invoice!.InvoiceId)))
            .Where(x => x.Payment is not null)
            .OrderBy(x => x.Payment!.PaidAt)
            .ThenBy(x => x.Payment!.PaymentId)
            .Select(x => Transaction(x.Line, x.Milestone, x.Invoice, x.Payment!))
            .ToList();
        return new OcdsImplementation(
            transactions.Count > 0 ? transactions : null,
            milestones.Count > 0 ? milestones : null,
            orders);
    }

    /// <summary>
    /// The roles purchasing gives: a hospital that ordered is a <c>buyer</c> (its budget pays), and a
    /// <c>payer</c> once it paid; the fund that settled directly is a <c>payer</c>; a supplier paid
    /// is a <c>payee</c>. Read from the published contracts, so the parties name exactly the
    /// organisations their implementation refers to.
    /// </summary>
    public IReadOnlyList<(OcdsOrganizationReference Organisation, string Role)> Roles(IEnumerable<OcdsContract> contracts)
    {
        var roles = new List<(OcdsOrganizationReference, string)>();
        foreach (var implementation in contracts.Select(c => c.Implementation).OfType<OcdsImplementation>())
        {
            roles.AddRange((implementation.VbpPurchaseOrders ?? []).Select(o => (o.Hospital, "buyer")));
            foreach (var transaction in implementation.Transactions ?? [])
            {
                roles.Add((transaction.Payer, "payer"));
                roles.Add((transaction.Payee, "payee"));
            }
        }

        return roles;
    }

    private OcdsOrganizationReference Hospital(string hospitalId) =>
        new(hospitalId, _hospitalNames.GetValueOrDefault(hospitalId, hospitalId));

    private static string PurchaseOrderId(Guid orderId, int lineNo) => $"{ExportText.Id(orderId)}-{lineNo}";

    private static string Camel<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    /// <summary>
    /// A line as a purchase order. A consumables line names its contract item as the contract's
    /// items do (OcdsConsumables): the category for units or whole systems, <c>{category}/{component}</c>
    /// for a component bought separately, priced at the component price.
    /// </summary>
    private OcdsPurchaseOrder PurchaseOrder(OrderLine line, bool consumable) => new(
        Id: PurchaseOrderId(line.OrderId, line.LineNo),
        OrderId: ExportText.Id(line.OrderId),
        LineNo: line.LineNo,
        Hospital: Hospital(line.HospitalId),
        Date: line.PlacedAt.UtcDateTime,
        Status: Camel(line.State),
        Urgency: Camel(line.Urgency),
        Quantity: line.Quantity,
        SurplusUnits: line.SurplusUnits,
        UnitPrice: new OcdsValue(line.UnitPrice, OcdsExport.Currency),
        Value: new OcdsValue(line.Amount, OcdsExport.Currency),
        DeliverBy: line.DeliverBy.UtcDateTime,
        ShippedUnits: line.ShippedUnits,
        AcceptedUnits: line.AcceptedUnits,
        ItemId: !consumable ? null : line.ComponentId is { } component ? OcdsConsumables.ComponentItemId(line.ProductId, component) : line.ProductId);

    /// <summary>
    /// An accepted delivery: met when every shipped unit was accepted, partially met when the
    /// hospital accepted fewer; met on the hospital's decision (or the window's close when deemed).
    /// </summary>
    private static OcdsMilestone Milestone(OrderLine line, Delivery delivery)
    {
        var decided = (delivery.DecidedAt ?? delivery.AcceptBy).UtcDateTime;
        return new OcdsMilestone(
            Id: ExportText.Id(delivery.DeliveryId),
            Title: $"Delivery of lot {delivery.LotNumber}: {delivery.AcceptedUnits} of {delivery.Quantity} units accepted",
            Type: "delivery",
            Status: delivery.AcceptedUnits == delivery.Quantity ? "met" : "partiallyMet",
            DueDate: line.DeliverBy.UtcDateTime,
            DateMet: decided,
            DateModified: decided,
            VbpPurchaseOrderId: PurchaseOrderId(line.OrderId, line.LineNo),
            VbpLotNumber: delivery.LotNumber,
            VbpExpiryDate: ExportText.Date(delivery.ExpiryDate),
            VbpShippedBy: delivery.ShippedBy,
            VbpShippedUnits: delivery.Quantity,
            VbpAcceptedUnits: delivery.AcceptedUnits,
            VbpDeemed: delivery.Deemed);
    }

    /// <summary>
    /// A payment: the whole invoice amount, paid by the hospital or by the fund, linked to the
    /// delivery milestone it pays for by the registered transaction_milestones extension. In a direct
    /// settlement the part drawn from the hospital's prepayment ledger is the fund's own earlier
    /// prepayment, so the fund is the payer of all of it.
    /// </summary>
    private OcdsTransaction Transaction(OrderLine line, OcdsMilestone delivered, Invoice invoice, Payment payment) => new(
        Id: ExportText.Id(payment.PaymentId),
        Date: payment.PaidAt.UtcDateTime,
        Value: new OcdsValue(payment.Amount, OcdsExport.Currency),
        Payer: payment.Payer == Payer.InsuranceFund ? Fund(invoice.AllianceId) : Hospital(payment.HospitalId),
        Payee: _organisation(invoice.ManufacturerId),
        VbpPurchaseOrderId: PurchaseOrderId(line.OrderId, line.LineNo),
        RelatedImplementationMilestone: new OcdsMilestoneReference(delivered.Id, delivered.Title),
        VbpInvoiceNumber: invoice.InvoiceNumber,
        VbpFromPrepayment: payment.Payer == Payer.InsuranceFund ? payment.FromPrepayment : null,
        VbpOnTime: payment.OnTime);

    private OcdsOrganizationReference Fund(string? allianceId)
    {
        var id = allianceId ?? _allianceId;
        var name = string.Equals(id, _allianceId, StringComparison.Ordinal) ? _allianceName : id;
        return new OcdsOrganizationReference(FundId(id), $"Medical insurance fund ({name})");
    }
}
