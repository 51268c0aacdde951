using System.Globalization;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Agreements;

namespace Procurement.Silo.Seeding;

/// <summary>
/// The demo's purchasing on the platform, through the order grains as hospitals and suppliers use
/// them: each month every hospital orders its month of each agreement in force, the supplier (or
/// the distributor it designated) confirms, ships and invoices, the hospital accepts, and pays
/// within the term; except that one hospital pays late, one region's invoices are settled directly
/// by the insurance fund, and in the last weeks one supplier falls behind (it ships about two
/// thirds of what it confirms), so the alliance sees a supply-risk alert. Hospitals are served side
/// by side (each has its own grain). <paramref name="tag"/> starts every request id and
/// <paramref name="invoicePrefix"/> every invoice number, so the purchasing stories (drugs, stents, hips)
/// never meet each other's idempotent requests; <paramref name="deliveryPoint"/> is where the
/// hospitals have their lines delivered.
/// </summary>
internal sealed class DemoPurchasing(IGrainFactory grains, Random random, string tag = "demo", string invoicePrefix = "FP", string deliveryPoint = "Central pharmacy")
{
    /// <summary>The hospital that pays its invoices late.</summary>
    public const string LatePayer = "H-TJ-002";

    /// <summary>The region whose invoices the alliance's insurance fund settles directly, drawing the hospitals' prepayment ledgers.</summary>
    public const string DirectSettlementRegion = "HE";

    /// <summary>The distributor M-HUAHAI designated in Beijing: it answers, ships and invoices Huahai's lines there.</summary>
    public const string Distributor = "D-JOINTOWN";

    public const string DistributorMaker = "M-HUAHAI";

    public const string DistributorRegion = "BJ";

    /// <summary>The product whose supplier falls behind in <see cref="FallingBehindRegion"/> in the last weeks.</summary>
    public const string FallingBehindProduct = "MONTELUKAST-TAB";

    public const string FallingBehindRegion = "SX";

    private readonly Dictionary<Guid, IReadOnlyList<AgreementHospital>> _parts = [];
    private readonly List<(string HospitalId, Guid InvoiceId, DateTimeOffset Due)> _unpaid = [];
    private int _sequence;

    private IHospitalOrdersGrain Orders(string hospitalId) => grains.GetGrain<IHospitalOrdersGrain>(hospitalId);

    /// <summary>The distributor and its designation (with the reference data, before its login is made).</summary>
    public static async Task RegisterDistributorAsync(IGrainFactory grains)
    {
        await grains.GetGrain<IDistributorGrain>(Distributor).RegisterAsync(new Distributor(Distributor, "Jointown Pharmaceutical Group", "九州通医药集团股份有限公司"));
        await grains.GetGrain<ISupplierGrain>(DistributorMaker).DesignateDistributorAsync(DistributorRegion, Distributor);
    }

    /// <summary>
    /// The orders of <paramref name="month"/>'s first days: placed, answered, shipped, accepted and
    /// invoiced at the clock's time. <paramref name="shareOfMonth"/> scales the month (a part of one);
    /// <paramref name="fallingBehind"/> makes the falling supplier ship short.
    /// </summary>
    public async Task OrderAsync(IReadOnlyList<string> batchIds, int month, decimal shareOfMonth, bool fallingBehind, string lagging)
    {
        var byHospital = new Dictionary<string, List<OrderLineRequest>>(StringComparer.Ordinal);
        foreach (var batchId in batchIds)
        {
            var agreements = (await grains.GetGrain<ITenderBatchGrain>(batchId).ListAgreementsAsync())
                .Where(a => a.State is AgreementState.Active or AgreementState.Expiring && Months.Of(a.Start) <= month && month < Months.Of(a.End));
            foreach (var agreement in agreements)
            {
                if (!_parts.TryGetValue(agreement.AgreementId, out var parts))
                {
                    _parts[agreement.AgreementId] = parts = await grains.GetGrain<IAgreementGrain>(agreement.AgreementId).ListHospitalsAsync();
                }
                foreach (var part in parts)
                {
                    var pace = part.HospitalId == lagging ? 0.45m + (decimal)random.NextDouble() * 0.1m : 0.92m + (decimal)random.NextDouble() * 0.2m;
                    var units = (long)(part.AnnualVolume / 12m * pace * shareOfMonth);
                    if (units > 0)
                    {
                        (byHospital.TryGetValue(part.HospitalId, out var list) ? list : byHospital[part.HospitalId] = [])
                            .Add(new OrderLineRequest(agreement.ProductId, units, deliveryPoint, OrderUrgency.Normal));
                    }
                }
            }
        }
        var sequence = Interlocked.Increment(ref _sequence);
        await Task.WhenAll(byHospital.Select(h => HospitalMonthAsync(h.Key, h.Value, sequence, fallingBehind)));
    }

    /// <summary>
    /// One component of a product system bought separately by one hospital (a revision's cup, say),
    /// at the agreement's component price, and carried through like the month's orders.
    /// </summary>
    public Task OrderComponentAsync(string hospitalId, string categoryId, string componentId, long quantity) =>
        HospitalMonthAsync(hospitalId, [new OrderLineRequest(categoryId, quantity, deliveryPoint, OrderUrgency.Normal, ComponentId: componentId)],
            Interlocked.Increment(ref _sequence), fallingBehind: false);

    private async Task HospitalMonthAsync(string hospitalId, List<OrderLineRequest> lines, int sequence, bool fallingBehind)
    {
        var orders = Orders(hospitalId);
        var request = $"{tag}-{sequence}-{hospitalId}";
        var order = await orders.PlaceOrderAsync(new OrderRequest(request, lines));
        foreach (var line in order.Lines)
        {
            var supplier = Supplier(line);
            await orders.RespondToLineAsync(supplier, $"{request}-c{line.LineNo}", order.OrderId, line.LineNo, true, null);
            var shipsShort = fallingBehind && line.ProductId == FallingBehindProduct && line.RegionCode == FallingBehindRegion;
            var units = shipsShort ? line.Quantity * 2 / 3 : line.Quantity;
            if (units <= 0)
            {
                continue;
            }
            var expiry = DateOnly.FromDateTime(line.PlacedAt.UtcDateTime).AddMonths(30);
            var delivery = await orders.ShipAsync(supplier, new ShipmentRequest($"{request}-s{line.LineNo}", order.OrderId, line.LineNo, units,
                string.Create(CultureInfo.InvariantCulture, $"L{line.PlacedAt:yyMM}{line.LineNo:00}"), expiry));
            await orders.DecideDeliveryAsync(delivery.DeliveryId, new DeliveryDecision($"{request}-a{line.LineNo}", true));
            var invoice = await orders.InvoiceAsync(supplier, new InvoiceRequest($"{request}-i{line.LineNo}", delivery.DeliveryId,
                string.Create(CultureInfo.InvariantCulture, $"{invoicePrefix}{sequence:000}{hospitalId[2..]}{line.LineNo:00}")));
            lock (_unpaid)
            {
                _unpaid.Add((hospitalId, invoice.InvoiceId, invoice.DueAt!.Value));
            }
        }
    }

    private static string Supplier(OrderLine line) =>
        line.ManufacturerId == DistributorMaker && line.RegionCode == DistributorRegion ? Distributor : line.ManufacturerId;

    /// <summary>
    /// Pays what is payable at the clock's time: every hospital its invoices (the insurance fund
    /// those of the direct-settlement region), except the late payer, which pays only invoices
    /// already 25 days past due.
    /// </summary>
    public async Task PayAsync(DateTimeOffset now)
    {
        List<(string HospitalId, Guid InvoiceId, DateTimeOffset Due)> due;
        lock (_unpaid)
        {
            due = _unpaid.Where(u => u.HospitalId != LatePayer || u.Due.AddDays(25) <= now).ToList();
            _unpaid.RemoveAll(due.Contains);
        }
        await Task.WhenAll(due.GroupBy(u => u.HospitalId).Select(async group =>
        {
            var orders = Orders(group.Key);
            var direct = group.Key.StartsWith($"H-{DirectSettlementRegion}-", StringComparison.Ordinal);
            foreach (var (_, invoiceId, _) in group)
            {
                var request = new PaymentRequest($"pay-{invoiceId:N}", invoiceId, $"BANK-{invoiceId.ToString("N")[..10].ToUpperInvariant()}");
                await (direct ? orders.SettleDirectlyAsync(request) : orders.PayAsync(request));
            }
        }));
    }

    /// <summary>
    /// Something for each role to do at the present: the demo hospital has a line waiting for its
    /// supplier's answer, and a delivery to accept; its earlier invoices stay payable.
    /// </summary>
    public async Task OpenItemsAsync(string hospitalId, string productId, DateTimeOffset now)
    {
        var orders = Orders(hospitalId);
        await orders.PlaceOrderAsync(new OrderRequest("demo-open-1", [new OrderLineRequest(productId, 1_200, "Central pharmacy", OrderUrgency.Normal)]));
        var toShip = await orders.PlaceOrderAsync(new OrderRequest("demo-open-2", [new OrderLineRequest(productId, 800, "Emergency ward", OrderUrgency.Emergency)]));
        var line = toShip.Lines[0];
        var supplier = Supplier(line);
        await orders.RespondToLineAsync(supplier, "demo-open-2-c", toShip.OrderId, 1, true, null);
        await orders.ShipAsync(supplier, new ShipmentRequest("demo-open-2-s", toShip.OrderId, 1, 800, "L-OPEN-01", DateOnly.FromDateTime(now.UtcDateTime).AddMonths(30)));
    }
}
