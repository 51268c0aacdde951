using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Pages;

/// <summary>
/// The order inbox of whoever answers, ships and invoices order lines: a manufacturer for its own
/// lines, a distributor for the lines the manufacturers designated it for. Lines to answer before
/// their window closes, confirmed lines to ship, deliveries to invoice, receivables by age. The
/// grain checks on every action that the signed-in organisation may act on the line.
/// </summary>
public abstract class SupplierInboxPage(GrainAccess grains, TimeProvider clock, IStringLocalizer<SharedResource> localizer) : PortalPage(grains, localizer)
{
    /// <summary>The most rows the inbox lists of each queue (the directory's own ceiling).</summary>
    private const int Shown = QueuedLines.MaxRows;

    /// <summary>The labels of the ages receivables are grouped in, <see cref="Receivables.BucketEnds"/> (upper bounds in days, the last open).</summary>
    public static readonly IReadOnlyList<(string Label, int UpTo)> AgeBuckets = [("0–30", 30), ("31–60", 60), ("61–90", 90), ("90+", int.MaxValue)];

    public DateTimeOffset Now { get; private set; }

    /// <summary>Whether each line names its manufacturer: a distributor answers for several.</summary>
    public virtual bool ShowsManufacturer => false;

    [TempData]
    public string? Saved { get; set; }

    /// <summary>
    /// Each queue read on its own, from all of the supplier's work (not from its newest lines): a
    /// national manufacturer's morning lines still wait to be answered at night however many came
    /// after them.
    /// </summary>
    public QueuedLines ToAnswer { get; private set; } = new([], false);

    public QueuedLines ToShip { get; private set; } = new([], false);

    /// <summary>Deliveries not rejected that carry no invoice yet.</summary>
    public QueuedDeliveries ToInvoice { get; private set; } = new([], false);

    /// <summary>
    /// Every invoice not yet paid (nor void) summed by age, and the earliest issued <see cref="Shown"/> listed:
    /// read on their own, not from the lines shown, so an old debt is counted however many lines
    /// came after it.
    /// </summary>
    public Receivables Owed { get; private set; } = new(default, [], [], false);

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostRespondAsync(Guid orderId, int lineNo, string requestId, bool confirm, string? reason) =>
        await ActAsync(async () => await (await Grains.OrdersOfOrderAsync(orderId)).RespondToLineAsync(User.Organisation(), requestId, orderId, lineNo, confirm, string.IsNullOrWhiteSpace(reason) ? null : reason),
            confirm ? L["The line is confirmed."] : L["The line is refused."]);

    public async Task<IActionResult> OnPostShipAsync(Guid orderId, int lineNo, string requestId, long quantity, string? lotNumber, DateOnly expiryDate) =>
        await ActAsync(async () => await (await Grains.OrdersOfOrderAsync(orderId)).ShipAsync(User.Organisation(), new ShipmentRequest(requestId, orderId, lineNo, quantity, lotNumber ?? "", expiryDate)),
            L["{0} unit(s) shipped.", quantity]);

    public async Task<IActionResult> OnPostInvoiceAsync(Guid deliveryId, string requestId, string? invoiceNumber) =>
        await ActAsync(async () => await (await Grains.OrdersOfDeliveryAsync(deliveryId)).InvoiceAsync(User.Organisation(), new InvoiceRequest(requestId, deliveryId, invoiceNumber ?? "")),
            L["Invoice {0} issued.", invoiceNumber ?? ""]);

    protected async Task<IActionResult> ActAsync(Func<Task> action, string saved)
    {
        if (!await TryAsync(action))
        {
            await LoadAsync();
            return Page();
        }
        Saved = saved;
        return RedirectToPage();
    }

    /// <summary>What a page adds to the inbox (the manufacturer's designations).</summary>
    protected virtual Task LoadMoreAsync() => Task.CompletedTask;

    private async Task LoadAsync()
    {
        Now = clock.GetUtcNow();
        var directory = Grains.OrderDirectory();
        var supplierId = User.Organisation();
        ToAnswer = await directory.ListLinesToAnswerAsync(supplierId, Shown);
        ToShip = await directory.ListLinesToShipAsync(supplierId, Shown);
        ToInvoice = await directory.ListDeliveriesToInvoiceAsync(supplierId, Shown);
        Owed = await directory.GetReceivablesAsync(supplierId, Shown);
        // The names of the hospitals shown, by their ids (a national supplier's regions hold tens of thousands).
        await Names.LoadHospitalsByIdAsync(ToAnswer.Lines.Concat(ToShip.Lines).Select(l => l.HospitalId)
            .Concat(ToInvoice.Deliveries.Select(d => d.Delivery.HospitalId))
            .Concat(Owed.Oldest.Select(r => r.Invoice.HospitalId))
            .ToHashSet(StringComparer.Ordinal));
        await LoadMoreAsync();
    }

    public static string Bucket(int ageDays) => AgeBuckets.First(b => ageDays <= b.UpTo).Label;

    /// <summary>Time left in words a countdown can show: days, hours and minutes, or that it has passed.</summary>
    public string TimeLeft(DateTimeOffset until)
    {
        var left = until - Now;
        if (left <= TimeSpan.Zero)
        {
            return L["window closed"];
        }
        return left.TotalDays >= 1
            ? L["{0} d {1} h left", (int)left.TotalDays, left.Hours]
            : L["{0} h {1} min left", left.Hours, left.Minutes];
    }
}
