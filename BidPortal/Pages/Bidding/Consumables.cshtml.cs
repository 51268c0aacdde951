using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;

namespace Procurement.BidPortal.Pages.Bidding;

/// <summary>
/// A manufacturer's sealed offers on a consumables batch, one form per category lot: which offer
/// (one of the firm's active offers in the category, to amend it, or the next free offer number,
/// for another product, up to <see cref="BidOffers.MaxPerCategory"/>), product, price (the set
/// price of a system, with each component's price), capacity and regions. The offer
/// goes through the bidder grain exactly as a drug bid does and is never shown back once sent: the
/// page lists only what <see cref="SealedBid"/> carries (status, version, time, commitment).
/// </summary>
// Writes only: the policy lets reads (GET) through (PortalExtensions); handler methods cannot carry it.
[EnableRateLimiting(PortalLimits.Bids)]
public sealed class ConsumablesModel(GrainAccess grains, IStringLocalizer<SharedResource> localizer) : PortalPage(grains, localizer)
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    [BindProperty]
    public OfferForm Form { get; set; } = new();

    [TempData]
    public string? ReceiptJson { get; set; }

    public BidReceipt? Receipt => ReceiptJson is null ? null : JsonSerializer.Deserialize<BidReceipt>(ReceiptJson);

    public TenderBatchView View { get; private set; } = null!;

    public IReadOnlyList<ConsumableLot> Lots { get; private set; } = [];

    /// <summary>The firm's bids on this batch, by category and offer number (one active bid per offer number; withdrawn ones listed too).</summary>
    public IReadOnlyList<SealedBid> MyBids { get; private set; } = [];

    /// <summary>Categories the firm declared a qualification for: a bid on any other is refused by the bidder grain.</summary>
    public IReadOnlySet<string> Qualified { get; private set; } = new HashSet<string>();

    /// <summary>The lot of a refused form: only that form shows what was typed, with its errors.</summary>
    public string? RefusedCategory { get; private set; }

    public bool Bidding => View.Phase == TenderBatchPhase.Bidding;

    public sealed class OfferForm
    {
        public string ClientRequestId { get; set; } = Guid.NewGuid().ToString("N");
        public string? CategoryId { get; set; }
        public int? OfferNumber { get; set; }
        public string? CertificateNumber { get; set; }
        public string? Model { get; set; }
        public string? ConsumableCode { get; set; }
        public decimal? Price { get; set; }
        public long? AnnualCapacity { get; set; }
        public List<ComponentPriceInput> Components { get; set; } = [];
        public List<string> SupplyRegions { get; set; } = [];
    }

    public sealed class ComponentPriceInput
    {
        public string? ComponentId { get; set; }
        public decimal? Price { get; set; }
    }

    /// <summary>The firm's active offers in a category, by offer number.</summary>
    public IReadOnlyList<SealedBid> ActiveBids(string categoryId) =>
        MyBids.Where(b => b.ProductId == categoryId && b.Status == BidStatus.Active).OrderBy(b => b.OfferNumber).ToList();

    /// <summary>The lowest offer number the firm has no active bid under in the category, or null when every one is taken.</summary>
    public int? NextOfferNumber(string categoryId)
    {
        var taken = ActiveBids(categoryId).Select(b => b.OfferNumber).ToHashSet();
        return Enumerable.Range(1, BidOffers.MaxPerCategory).Cast<int?>().FirstOrDefault(n => !taken.Contains(n!.Value));
    }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostSubmitAsync()
    {
        await LoadAsync();
        RefusedCategory = Form.CategoryId;
        if (!ModelState.IsValid)
        {
            Problem = L["Nothing was sent: correct the marked fields."];
            return Page();
        }
        // A blank component price is left out, so the grain refuses the system bid naming the
        // component (COMPONENTS_NOT_PRICED) rather than the page guessing a price.
        var sent = Form.Components.Select((c, i) => (Input: c, Index: i)).Where(c => c.Input.Price is not null).ToList();
        // Empty inputs go to the grain as empty text, so its refusal names the required field.
        var content = new BidContent(Id, Form.CategoryId ?? "", "", Form.Price ?? 0m, Form.AnnualCapacity ?? 0, Form.SupplyRegions)
        {
            OfferNumber = Form.OfferNumber,
            Consumable = new ConsumableOffer(
                (Form.CertificateNumber ?? "").Trim(),
                (Form.Model ?? "").Trim(),
                string.IsNullOrWhiteSpace(Form.ConsumableCode) ? null : Form.ConsumableCode.Trim(),
                sent.Select(c => new ConsumableComponentPrice(c.Input.ComponentId ?? "", c.Input.Price!.Value)).ToList()),
        };
        // The offer chosen amends the firm's active bid under that number, or is a new bid; no number is offer 1.
        var active = ActiveBids(Form.CategoryId ?? "").FirstOrDefault(b => b.OfferNumber == (Form.OfferNumber ?? 1));
        BidReceipt? receipt = null;
        var done = await TryAsync(async () => receipt = active is null
            ? await Grains.Bidder().SubmitBidAsync(Form.ClientRequestId, content)
            : await Grains.Bidder().AmendBidAsync(Form.ClientRequestId, active.BidId, content), "Form.", field => InputOf(field, sent.Select(s => s.Index).ToList()));
        if (!done)
        {
            return Page();
        }
        ReceiptJson = JsonSerializer.Serialize(receipt);
        return RedirectToPage(new { id = Id });
    }

    public async Task<IActionResult> OnPostWithdrawAsync(Guid bidId, string clientRequestId)
    {
        await LoadAsync();
        BidReceipt? receipt = null;
        if (!await TryAsync(async () => receipt = await Grains.Bidder().WithdrawBidAsync(clientRequestId, bidId)))
        {
            return Page();
        }
        ReceiptJson = JsonSerializer.Serialize(receipt);
        return RedirectToPage(new { id = Id });
    }

    /// <summary>
    /// The form input a grain's field names: the offer's parts sit under <c>consumable.</c> in the
    /// content and directly on the form; a component price's index is of the prices sent, which
    /// skip blank ones, so it is turned back into the component's row.
    /// </summary>
    private static string InputOf(string field, IReadOnlyList<int> sentRows)
    {
        const string component = "consumable.componentPrices[";
        if (field.StartsWith(component, StringComparison.Ordinal))
        {
            var end = field.IndexOf(']', component.Length);
            if (end > 0 && int.TryParse(field.AsSpan(component.Length, end - component.Length), out var sentIndex) && sentIndex < sentRows.Count)
            {
                return $"Components[{sentRows[sentIndex]}]{field[(end + 1)..]}";
            }
        }
        return field switch
        {
            "pricePerPack" => "Price",
            "productId" => "CategoryId",
            "offerNumber" => "OfferNumber",
            "consumable.componentPrices" => "Components",
            _ when field.StartsWith("consumable.", StringComparison.Ordinal) => field["consumable.".Length..],
            _ => field,
        };
    }

    private async Task LoadAsync()
    {
        View = await Grains.BiddingBatchAsync(Id);
        Lots = View.Definition!.Consumables?.Categories ?? [];
        MyBids = (await Grains.Bidder().ListBidsAsync()).Where(b => b.BatchId == Id)
            .OrderBy(b => b.ProductId, StringComparer.Ordinal).ThenBy(b => b.OfferNumber).ThenBy(b => b.Status).ToList();
        Qualified = (await Grains.Bidder().GetQualificationsAsync()).Select(q => q.ProductId).ToHashSet(StringComparer.Ordinal);
        if (Form.SupplyRegions.Count == 0 && Request.Method == HttpMethods.Get)
        {
            Form.SupplyRegions = View.Definition.RegionCodes.ToList();
        }
    }
}
