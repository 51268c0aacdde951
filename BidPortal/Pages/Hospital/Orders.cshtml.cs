using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Procurement.BidPortal.Api;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Pages.Hospital;

/// <summary>
/// A hospital's purchasing: orders placed by form or by sheet, the lines as they were priced and
/// answered, deliveries waiting for acceptance, invoices to pay, payments and the prepayment ledger.
/// </summary>
// Writes only: the policy lets reads (GET) through (PortalExtensions); handler methods cannot carry it.
[EnableRateLimiting(PortalLimits.Orders)]
public sealed partial class OrdersModel(GrainAccess grains, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock, BusinessTime time, IStringLocalizer<SharedResource> localizer, IOptions<PortalLimits> limits) : PortalPage(grains, localizer)
{
    /// <summary>Rows offered by the order form; rows left without a product are not sent.</summary>
    public const int FormLines = 3;

    /// <summary>How many of each list the page shows, newest first.</summary>
    private const int Shown = 200;

    [BindProperty]
    public List<OrderFormLine> Lines { get; set; } = [.. Enumerable.Range(0, FormLines).Select(_ => new OrderFormLine())];

    /// <summary>Rendered into the form once, so a form sent twice (a double click, a resend) places one order.</summary>
    [BindProperty]
    public string RequestId { get; set; } = Guid.NewGuid().ToString("N");

    public IReadOnlyList<Order> PlacedOrders { get; private set; } = [];

    /// <summary>The newest invoices, for the payments' invoice numbers.</summary>
    public IReadOnlyList<Invoice> Invoices { get; private set; } = [];

    public IReadOnlyList<Payment> Payments { get; private set; } = [];

    /// <summary>Every delivery still to accept, the earliest deadline first (at most the page's rows; <c>More</c> beyond).</summary>
    public WaitingDeliveries ToAccept { get; private set; } = new([], false);

    /// <summary>Every invoice still to pay, the earliest due first (at most the page's rows; <c>More</c> beyond).</summary>
    public WaitingInvoices ToPay { get; private set; } = new([], false);

    private Dictionary<(Guid OrderId, int LineNo), OrderLine> _lines = [];

    /// <summary>The line a delivery was shipped for (its order read when it is older than the orders listed).</summary>
    public OrderLine? LineOf(Delivery delivery) => _lines.GetValueOrDefault((delivery.OrderId, delivery.LineNo));

    /// <summary>The months the record's download offers first: this business month and the two before.</summary>
    public string ExportFrom { get; private set; } = "";

    public string ExportTo { get; private set; } = "";

    public PrepaymentLedger? Ledger { get; private set; }

    /// <summary>
    /// The consumables categories the hospital has an agreement for (a line's product is the
    /// category), offered beside the drug products; a system's components with them.
    /// </summary>
    public IReadOnlyList<string> Categories { get; private set; } = [];

    /// <summary>The components of those categories that are product systems, offered as suggestions for the component field.</summary>
    public IReadOnlyList<(string CategoryId, ConsumableLotComponent Component)> Components { get; private set; } = [];

    public IReadOnlyList<RowError> RowErrors { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    [TempData]
    public string? Saved { get; set; }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostPlaceAsync()
    {
        // Only the filled rows go; an error the grain reports for the n-th line sent is shown beside the form row it came from.
        var filled = Lines.Select((line, row) => (line, row)).Where(x => !string.IsNullOrWhiteSpace(x.line.ProductId)).ToList();
        if (filled.Count == 0)
        {
            await LoadAsync();
            Problem = L["Choose a product for at least one line."];
            return Page();
        }
        var request = new OrderRequest(RequestId, filled.Select(x => x.line.ToRequest()).ToList());
        Order? order = null;
        if (!await TryAsync(async () => order = await Grains.Orders().PlaceOrderAsync(request), "",
            field => LineIndex().Replace(field, m => $"Lines[{filled[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)].row}]")))
        {
            await LoadAsync();
            return Page();
        }
        Saved = L["Order placed with {0} line(s).", order!.Lines.Count];
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostUploadAsync(IFormFile? file)
    {
        if (file is null || file.Length == 0)
        {
            await LoadAsync();
            Problem = L["Choose a CSV or XLSX file to upload."];
            return Page();
        }
        OrderApi.OrderUploadResult? result = null;
        var imported = await TryAsync(async () =>
        {
            await using var stream = file.OpenReadStream();
            result = await OrderApi.ImportOrderAsync(Grains, RequestId, stream, file.Length, UploadParser.IsXlsx(file.ContentType, file.FileName), UploadLimits.From(limits.Value), HttpContext.RequestAborted);
        });
        if (!imported || !result!.Accepted)
        {
            await LoadAsync();
            if (imported)
            {
                RowErrors = result!.Errors;
                Problem = L["Nothing was ordered: {0} row error(s).", result.Errors.Count];
            }
            return Page();
        }
        Saved = L["Order placed with {0} line(s) from {1}.", result.Order!.Lines.Count, file.FileName];
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostDecideAsync(Guid deliveryId, string requestId, bool accept, long? acceptedUnits, DeliveryRejection? reason, string? note)
    {
        var decision = new DeliveryDecision(requestId, accept, accept ? acceptedUnits : null, reason, string.IsNullOrWhiteSpace(note) ? null : note);
        if (!await TryAsync(() => Grains.Orders().DecideDeliveryAsync(deliveryId, decision)))
        {
            await LoadAsync();
            return Page();
        }
        Saved = accept ? L["The delivery is accepted."] : L["The delivery is rejected."];
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostPayAsync(Guid invoiceId, string requestId, string? reference)
    {
        if (!await TryAsync(() => Grains.Orders().PayAsync(new PaymentRequest(requestId, invoiceId, reference ?? ""))))
        {
            await LoadAsync();
            return Page();
        }
        Saved = L["The payment is recorded."];
        return RedirectToPage();
    }

    private async Task LoadAsync()
    {
        Now = clock.GetUtcNow();
        (ExportFrom, ExportTo) = (time.Month(Now.AddMonths(-2)), time.Month(Now));
        var orders = Grains.Orders();
        PlacedOrders = await orders.ListOrdersAsync(Shown);
        Invoices = await orders.ListInvoicesAsync(Shown);
        Payments = await orders.ListPaymentsAsync(Shown);
        // The waiting work from all of the hospital's rows, not from its newest: an overdue invoice
        // or a receipt near its deadline never drops off a big hospital's page.
        ToAccept = await orders.ListDeliveriesToAcceptAsync(Shown);
        ToPay = await orders.ListInvoicesToPayAsync(Shown);
        _lines = PlacedOrders.SelectMany(o => o.Lines).ToDictionary(l => (l.OrderId, l.LineNo));
        foreach (var orderId in ToAccept.Deliveries.Where(d => !_lines.ContainsKey((d.OrderId, d.LineNo))).Select(d => d.OrderId).Distinct())
        {
            foreach (var line in (await orders.GetOrderAsync(orderId)).Lines)
            {
                _lines[(line.OrderId, line.LineNo)] = line;
            }
        }
        Ledger = await orders.GetLedgerAsync();
        var drugs = Names.Products.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var consumables = (await Grains.Directory().ListAgreementsForHospitalAsync(User.Organisation()))
            .Select(a => a.Agreement)
            .Where(a => !drugs.Contains(a.ProductId))
            .ToList();
        Categories = consumables.Select(a => a.ProductId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var components = new List<(string, ConsumableLotComponent)>();
        foreach (var batchId in consumables.Select(a => a.BatchId).Distinct(StringComparer.Ordinal))
        {
            var lots = (await Grains.Batch(batchId).GetAsync()).Definition?.Consumables?.Categories ?? [];
            components.AddRange(lots.Where(l => Categories.Contains(l.CategoryId)).SelectMany(l => l.Components.Select(c => (l.CategoryId, c))));
        }
        Components = components.DistinctBy(c => (c.Item1, c.Item2.ComponentId)).ToList();
    }

    [GeneratedRegex(@"^lines\[(\d+)\]", RegexOptions.IgnoreCase)]
    private static partial Regex LineIndex();

    /// <summary>One row of the order form.</summary>
    public sealed class OrderFormLine
    {
        public string? ProductId { get; set; }

        public long Quantity { get; set; }

        public string? DeliveryPoint { get; set; }

        public OrderUrgency Urgency { get; set; }

        /// <summary>Empty for the agreement's supplier, or the only listed brand.</summary>
        public string? ManufacturerId { get; set; }

        public string? SubstituteReason { get; set; }

        /// <summary>A component of a consumables product system bought separately (e.g. <c>cup</c>); empty for a whole system, a unit or a drug. The grain checks it, as for the API.</summary>
        public string? ComponentId { get; set; }

        public OrderLineRequest ToRequest() => new(ProductId!, Quantity, DeliveryPoint ?? "", Urgency,
            string.IsNullOrWhiteSpace(ManufacturerId) ? null : ManufacturerId,
            string.IsNullOrWhiteSpace(SubstituteReason) ? null : SubstituteReason,
            string.IsNullOrWhiteSpace(ComponentId) ? null : ComponentId.Trim());
    }
}
