using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Batches;
using Procurement.Grains.Bidders.Domain;
using Procurement.Grains.Hosting;
using Procurement.Grains.Sealing;
using Procurement.Grains.Storage;
using Procurement.Grains.Reference;

namespace Procurement.Grains.Bidders;

/// <summary>
/// A manufacturer. It checks what only it knows (registration, declared qualification, its own
/// request ids) and routes each bid action to the batch, which enforces the deadline and records
/// it. One activation per manufacturer serialises its requests, so a repeated client request id is
/// answered from the stored receipt instead of acting twice.
/// </summary>
public sealed class BidderGrain(
    ReferenceRepository reference,
    BidRepository bids,
    KeyEncryptionKey kek,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock) : Grain, IBidderGrain
{
    private const int MaxRequestIdLength = 100;

    private Manufacturer? _manufacturer;
    private Dictionary<string, Qualification> _qualifications = [];

    // The ids of this manufacturer's bids with their offer numbers, loaded at the first amendment
    // and kept as bids are submitted through this (single) activation, so another firm's bid id is
    // refused before any batch is asked, and an amendment keeps its bid's offer number, without a
    // read per amendment.
    private Dictionary<Guid, int>? _ownBids;

    private string ManufacturerId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken) => this.ActivateGuardedAsync(async () =>
    {
        _manufacturer = await reference.GetManufacturerAsync(ManufacturerId);
        _qualifications = (await reference.GetQualificationsAsync(ManufacturerId)).ToDictionary(q => q.ProductId);
    });

    public async Task RegisterAsync(Manufacturer manufacturer)
    {
        Check.NotNull(manufacturer, "manufacturer");
        Check.MatchesKey(Check.Id(manufacturer.Id, "id"), ManufacturerId, "id");
        Check.Text(manufacturer.Name, "name", 200);
        Check.OptionalText(manufacturer.NameZh, "nameZh", 200);
        if (manufacturer.AffiliationGroup is not null)
        {
            Check.Id(manufacturer.AffiliationGroup, "affiliationGroup");
        }
        await reference.SaveManufacturerAsync(manufacturer, ProcurementClock.Now(clock), ActorName);
        _manufacturer = manufacturer;
    }

    public Task<Manufacturer?> GetAsync() => Task.FromResult(_manufacturer);

    public async Task DeclareQualificationAsync(Qualification qualification)
    {
        RequireManufacturer();
        Check.NotNull(qualification, "qualification");
        Check.Id(qualification.ProductId, "productId");
        if (qualification.YearsOfProduction is < 0 or > 200)
        {
            throw ProcurementException.Invalid("yearsOfProduction", "yearsOfProduction must be from 0 to 200.");
        }
        var cleaned = qualification with { GmpRecordReference = Check.OptionalText(qualification.GmpRecordReference, "gmpRecordReference", 200) };
        await reference.SaveQualificationAsync(ManufacturerId, cleaned, ProcurementClock.Now(clock), ActorName);
        _qualifications[cleaned.ProductId] = cleaned;
    }

    public Task<IReadOnlyList<Qualification>> GetQualificationsAsync() =>
        Task.FromResult<IReadOnlyList<Qualification>>(_qualifications.Values.OrderBy(q => q.ProductId, StringComparer.Ordinal).ToList());

    public async Task<BidReceipt> SubmitBidAsync(string clientRequestId, BidContent content)
    {
        RequireManufacturer();
        CheckRequest(clientRequestId, content);
        if (await RepeatedAsync(clientRequestId, BidAction.Submitted, null, BidCanonicalForm.Text(ManufacturerId, content)) is { } receipt)
        {
            return receipt;
        }
        if (!_qualifications.ContainsKey(content.ProductId))
        {
            throw new ProcurementException(
                ErrorCodes.NotQualified,
                $"Manufacturer {ManufacturerId} has not declared its qualification for {content.ProductId}.",
                "productId");
        }
        var submitted = await RouteAsync(new BidCommand(Guid.NewGuid(), ManufacturerId, BidAction.Submitted, content, clientRequestId, ActorName));
        _ownBids?.TryAdd(submitted.BidId, submitted.OfferNumber);
        return submitted;
    }

    public async Task<BidReceipt> AmendBidAsync(string clientRequestId, Guid bidId, BidContent content)
    {
        RequireManufacturer();
        CheckRequest(clientRequestId, content);
        if (_ownBids is null || !_ownBids.ContainsKey(bidId))
        {
            // Loaded (or reloaded, should a submission have been stored without its answer arriving) from the store.
            _ownBids = (await bids.ListSealedForManufacturerAsync(ManufacturerId)).ToDictionary(b => b.BidId, b => b.OfferNumber);
        }
        if (!_ownBids.TryGetValue(bidId, out var offerNumber))
        {
            throw BidLifecycle.NotFound(ManufacturerId, bidId);
        }
        // An amendment keeps its bid's offer number: left out, it is the bid's; another is refused.
        if (content.OfferNumber is { } asked && asked != offerNumber)
        {
            throw ProcurementException.Invalid("offerNumber", $"Bid {bidId} is offer {offerNumber}; an amendment keeps its offer number.");
        }
        var amended = content with { OfferNumber = offerNumber == 1 ? content.OfferNumber : offerNumber };
        if (await RepeatedAsync(clientRequestId, BidAction.Amended, bidId, BidCanonicalForm.Text(ManufacturerId, amended)) is { } receipt)
        {
            return receipt;
        }
        return await RouteAsync(new BidCommand(bidId, ManufacturerId, BidAction.Amended, amended, clientRequestId, ActorName));
    }

    public async Task<BidReceipt> WithdrawBidAsync(string clientRequestId, Guid bidId)
    {
        RequireManufacturer();
        CheckRequestId(clientRequestId);
        var current = await bids.GetSealedAsync(bidId);
        if (!BidLifecycle.IsOwn(current, ManufacturerId))
        {
            throw BidLifecycle.NotFound(ManufacturerId, bidId);
        }
        var withdrawal = BidCanonicalForm.WithdrawalText(ManufacturerId, current.BatchId, current.ProductId, bidId);
        if (await RepeatedAsync(clientRequestId, BidAction.Withdrawn, bidId, withdrawal) is { } receipt)
        {
            return receipt;
        }
        // A withdrawal names the bid and carries no offer.
        var content = new BidContent(current.BatchId, current.ProductId, "", 0m, 0, []) { OfferNumber = current.OfferNumber };
        return await RouteAsync(new BidCommand(bidId, ManufacturerId, BidAction.Withdrawn, content, clientRequestId, ActorName));
    }

    public Task<Objection> FileObjectionAsync(string batchId, string text)
    {
        RequireManufacturer();
        return GrainFactory.GetGrain<ITenderBatchGrain>(Check.Id(batchId, "batchId"))
            .FileObjectionAsync(ManufacturerId, Check.Text(text, "text", 4000));
    }

    public Task<IReadOnlyList<SealedBid>> ListBidsAsync() => bids.ListSealedForManufacturerAsync(ManufacturerId);

    public async Task<BidReceipt> GetReceiptAsync(Guid bidId)
    {
        RequireManufacturer();
        var action = await bids.FindLatestActionAsync(bidId);
        if (action is null || action.ManufacturerId != ManufacturerId)
        {
            throw BidLifecycle.NotFound(ManufacturerId, bidId);
        }
        return action.ToReceipt(UnwrapNonce(action));
    }

    private string UnwrapNonce(SealedAction action) =>
        Convert.ToHexStringLower(kek.Unwrap(
            TenderBatchGrain.ReceiptNoncePurpose, action.WrappedNonce, TenderBatchGrain.ReceiptNonceData(action.ManufacturerId, action.ClientRequestId)));

    private string ActorName => Actor.Current($"manufacturer:{ManufacturerId}");

    private Task<BidReceipt> RouteAsync(BidCommand command) =>
        GrainFactory.GetGrain<ITenderBatchGrain>(command.Content.BatchId).AcceptBidAsync(command);

    /// <summary>
    /// The receipt of an earlier request with the same id, if it asked for the same thing; a
    /// reused id for something else is refused rather than silently answered with the old receipt.
    /// </summary>
    private async Task<BidReceipt?> RepeatedAsync(string clientRequestId, BidAction action, Guid? bidId, string canonicalText)
    {
        var stored = await bids.FindActionAsync(ManufacturerId, clientRequestId);
        if (stored is null)
        {
            return null;
        }
        // The stored commitment is salted with the receipt's nonce, which the key-encryption key unwraps.
        var nonce = UnwrapNonce(stored);
        var earlier = stored.ToReceipt(nonce);
        var same = earlier.Action == action
            && (bidId is null || earlier.BidId == bidId)
            && earlier.ContentSha256 == BidCanonicalForm.Commitment(nonce, canonicalText);
        return same
            ? earlier
            : throw new ProcurementException(
                ErrorCodes.RequestIdReused,
                $"Client request id '{clientRequestId}' was already used for a different request ({earlier.Action} of bid {earlier.BidId}).",
                "clientRequestId");
    }

    private static void CheckRequest(string clientRequestId, BidContent content)
    {
        CheckRequestId(clientRequestId);
        Check.NotNull(content, "content");
        Check.Id(content.BatchId, "batchId");
        Check.Id(content.ProductId, "productId");
        Check.NotNull(content.SupplyRegions, "supplyRegions");
    }

    private static void CheckRequestId(string clientRequestId)
    {
        if (string.IsNullOrWhiteSpace(clientRequestId))
        {
            throw ProcurementException.Required("clientRequestId");
        }
        if (clientRequestId.Length > MaxRequestIdLength)
        {
            throw ProcurementException.Invalid("clientRequestId", $"clientRequestId must be at most {MaxRequestIdLength} characters.");
        }
    }

    private Manufacturer RequireManufacturer() =>
        _manufacturer ?? throw new ProcurementException(ErrorCodes.NotFound, $"Manufacturer {ManufacturerId} is not registered.", "manufacturerId");
}
