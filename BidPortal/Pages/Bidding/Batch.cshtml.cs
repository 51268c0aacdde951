using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Api;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;

namespace Procurement.BidPortal.Pages.Bidding;

/// <summary>One batch for a manufacturer: products and maximum prices, its own bids with receipts, and after the opening every bid and its own statements.</summary>
// Writes only: the policy lets reads (GET) through (PortalExtensions); handler methods cannot carry it.
[EnableRateLimiting(PortalLimits.Bids)]
public sealed class BatchModel(GrainAccess grains, IStringLocalizer<SharedResource> localizer) : PortalPage(grains, localizer)
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    [BindProperty]
    public BidForm Form { get; set; } = new();

    [BindProperty]
    public string? ObjectionText { get; set; }

    [TempData]
    public string? ReceiptJson { get; set; }

    public BidReceipt? Receipt => ReceiptJson is null ? null : JsonSerializer.Deserialize<BidReceipt>(ReceiptJson);

    public TenderBatchView View { get; private set; } = null!;

    public IReadOnlyList<Product> Products { get; private set; } = [];

    public IReadOnlyList<SealedBid> MyBids { get; private set; } = [];

    public IReadOnlyList<OpenedBid> OpenedBids { get; private set; } = [];

    public AwardView? Award { get; private set; }

    public IReadOnlyList<Objection> MyObjections { get; private set; } = [];

    public string Organisation => User.Organisation();

    public sealed class BidForm
    {
        public Guid? BidId { get; set; }
        public string ClientRequestId { get; set; } = Guid.NewGuid().ToString("N");
        public string ProductId { get; set; } = "";
        public string SpecificationCode { get; set; } = "";
        public decimal PricePerPack { get; set; }
        public long AnnualCapacity { get; set; }
        public List<string> SupplyRegions { get; set; } = [];
    }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostSubmitAsync()
    {
        await LoadAsync();
        var content = new BidContent(Id, Form.ProductId, Form.SpecificationCode, Form.PricePerPack, Form.AnnualCapacity, Form.SupplyRegions);
        BidReceipt? receipt = null;
        var done = await TryAsync(async () => receipt = Form.BidId is { } bidId
            ? await Grains.Bidder().AmendBidAsync(Form.ClientRequestId, bidId, content)
            : await Grains.Bidder().SubmitBidAsync(Form.ClientRequestId, content), "Form.");
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

    public async Task<IActionResult> OnPostObjectAsync()
    {
        await LoadAsync();
        if (!await TryAsync(() => Grains.Bidder().FileObjectionAsync(Id, ObjectionText ?? ""), "Objection."))
        {
            return Page();
        }
        return RedirectToPage(new { id = Id });
    }

    /// <summary>
    /// The receipt of the bid's latest action as a JSON file: what the server holds, when it received
    /// it, the commitment and its nonce (with which the bidder checks the opened content).
    /// </summary>
    public async Task<IActionResult> OnGetReceiptAsync(Guid bidId)
    {
        await LoadAsync();
        if (!MyBids.Any(b => b.BidId == bidId))
        {
            return NotFound();
        }
        var receipt = await Grains.Bidder().GetReceiptAsync(bidId);
        var json = JsonSerializer.SerializeToUtf8Bytes(receipt, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true });
        return File(json, "application/json", $"receipt-{receipt.BatchId}-{receipt.ProductId}-v{receipt.Version}.json");
    }

    private async Task LoadAsync()
    {
        View = await Grains.BiddingBatchAsync(Id);
        var ids = View.Definition!.Products.Select(p => p.ProductId).ToHashSet();
        Products = (await Grains.Directory().ListProductsAsync()).Where(p => ids.Contains(p.Id)).ToList();
        MyBids = (await Grains.Bidder().ListBidsAsync()).Where(b => b.BatchId == Id).OrderBy(b => b.ProductId).ToList();
        if (View.Phase >= TenderBatchPhase.Opened)
        {
            OpenedBids = await Grains.Batch(Id).GetOpenedBidsAsync();
            await Grains.RecordAsync(BidApi.OpenedBidsRead, Id, "batch", Id, "page /Bidding/Batch");
            Award = await AwardApi.VisibleAwardAsync(Grains, User, Id);
            MyObjections = (await Grains.Batch(Id).ListObjectionsAsync()).Where(o => o.ManufacturerId == Organisation).ToList();
        }
        if (Form.SupplyRegions.Count == 0)
        {
            Form.SupplyRegions = View.Definition.RegionCodes.ToList();
        }
    }
}
