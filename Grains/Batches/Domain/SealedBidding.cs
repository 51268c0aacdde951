using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Hosting;
using Procurement.Optimizer.Winners;

namespace Procurement.Grains.Batches.Domain;

/// <summary>
/// The rules of sealed bidding in a batch: when a bid action is accepted (in Bidding, received no
/// later than the deadline, to the tick), what a bid must offer (a product and specification of
/// the batch, a price at or below the product's maximum valid price, capacity, regions of the
/// batch), when the bids are sealed, and when the opening is due and may release the key. A bid's
/// own states (one active bid per bidder, product and offer number; amend or withdraw only an active one) are
/// <see cref="Bidders.Domain.BidLifecycle"/>'s.
/// </summary>
public static class SealedBidding
{
    /// <summary>
    /// A bid action is accepted in Bidding when it reached the batch no later than the deadline: a
    /// bid received exactly at the deadline is on time. After Bidding it is late, before it early.
    /// </summary>
    public static void RequireAccepting(string batchId, TenderBatchPhase phase, TenderWindows windows, DateTimeOffset receivedAt)
    {
        if (phase != TenderBatchPhase.Bidding)
        {
            throw phase > TenderBatchPhase.Bidding
                ? new ProcurementException(ErrorCodes.DeadlinePassed, $"Bidding for batch {batchId} closed at {windows.BiddingDeadline:O}.")
                : new ProcurementException(ErrorCodes.BiddingNotOpen, $"Batch {batchId} is in {phase}; bidding is not open.");
        }
        if (receivedAt > windows.BiddingDeadline)
        {
            throw new ProcurementException(
                ErrorCodes.DeadlinePassed,
                $"The bid reached the server at {receivedAt:O}, after the deadline {windows.BiddingDeadline:O}.");
        }
    }

    /// <summary>
    /// What a submission or an amendment offers, checked against the batch: the product is the
    /// batch's, the specification is biddable for it, price and capacity are positive, the supply
    /// regions are distinct regions of the batch, and the unit comparable price (exact, so a bid
    /// exactly at the maximum is never refused by a rounding) is at most the maximum valid price.
    /// A consumables bid is <see cref="ConsumableBidRules"/>'s, with the same regions; a drug bid on
    /// a consumables category is refused (<see cref="ErrorCodes.BidKindMismatch"/>).
    /// </summary>
    /// <param name="products">The batch's products as the reference data has them, by id.</param>
    public static BidContent Validate(string batchId, TenderBatchDefinition definition, IReadOnlyDictionary<string, Product> products, BidContent? offered)
    {
        var content = Check.NotNull(offered, "content");
        Check.Id(content.ProductId, "productId");
        CheckOfferNumber(content);
        if (content.Consumable is not null)
        {
            ConsumableBidRules.Validate(batchId, definition, content);
            CheckRegions(batchId, definition, content.SupplyRegions);
            return content;
        }
        if (definition.Consumables?.Categories.Any(c => c.CategoryId == content.ProductId) == true)
        {
            throw new ProcurementException(ErrorCodes.BidKindMismatch,
                $"'{content.ProductId}' is a consumables category of batch {batchId}; a bid on it gives its product and prices in consumable.", "consumable");
        }
        Check.Id(content.SpecificationCode, "specificationCode");
        var batchProduct = definition.Products.FirstOrDefault(p => p.ProductId == content.ProductId)
            ?? throw new ProcurementException(ErrorCodes.UnknownProduct, $"Product '{content.ProductId}' is not in batch {batchId}.", "productId");
        if (content.PricePerPack <= 0)
        {
            throw ProcurementException.Invalid("pricePerPack", "pricePerPack must be positive.");
        }
        Check.Decimals(content.PricePerPack, 4, "pricePerPack");
        if (content.AnnualCapacity <= 0)
        {
            throw ProcurementException.Invalid("annualCapacity", "annualCapacity must be a positive number of representative units.");
        }
        CheckRegions(batchId, definition, content.SupplyRegions);
        var product = products[content.ProductId];
        if (product.FindSpecification(content.SpecificationCode) is null)
        {
            throw ProcurementException.Invalid("specificationCode", $"Specification '{content.SpecificationCode}' is not biddable for product {product.Id}.");
        }
        var unitPrice = ComparablePrice.Exact(product, content.SpecificationCode, content.PricePerPack, definition.RuleSet.Conversion);
        if (unitPrice > ExactPrice.Of(batchProduct.MaxValidUnitPrice))
        {
            // The message names the limit, never the refused price: refusals reach logs.
            throw new ProcurementException(
                ErrorCodes.PriceAboveMaximum,
                $"The bid's unit comparable price is above the maximum valid price {batchProduct.MaxValidUnitPrice} CNY of {product.Id}.",
                "pricePerPack");
        }
        return content;
    }

    /// <summary>
    /// A consumables bid is one of at most <see cref="BidOffers.MaxPerCategory"/> offers of its firm
    /// in the category, numbered from 1; a drug bid is its firm's one offer for the product.
    /// </summary>
    public static void CheckOfferNumber(BidContent content)
    {
        if (content.Consumable is null && content.OfferNumber is not (null or 1))
        {
            throw ProcurementException.Invalid("offerNumber", "A drug bid is its firm's only offer for the product: offerNumber is 1 or left out.");
        }
        if (content.OfferNumber is < 1 or > BidOffers.MaxPerCategory)
        {
            throw ProcurementException.Invalid("offerNumber",
                $"offerNumber must be from 1 to {BidOffers.MaxPerCategory}: a firm offers at most {BidOffers.MaxPerCategory} products in a category, each its own bid.");
        }
    }

    private static void CheckRegions(string batchId, TenderBatchDefinition definition, IReadOnlyList<string>? supplyRegions)
    {
        var regions = Check.NonEmpty(supplyRegions, "supplyRegions");
        Check.Distinct(regions, "supplyRegions");
        for (var i = 0; i < regions.Count; i++)
        {
            if (!definition.RegionCodes.Contains(regions[i]))
            {
                throw ProcurementException.Invalid($"supplyRegions[{i}]", $"Region '{regions[i]}' is not a region of batch {batchId}.");
            }
        }
    }

    /// <summary>How an accepted action changes the number of active bids: a submission adds one, a withdrawal takes one away.</summary>
    public static int ActiveBidChange(BidAction action) => action switch
    {
        BidAction.Submitted => 1,
        BidAction.Withdrawn => -1,
        _ => 0,
    };

    /// <summary>Until the opening nobody, the alliance included, sees a bid's content, nor whether any bid was made.</summary>
    public static bool IsSealed(TenderBatchPhase phase) => phase < TenderBatchPhase.Opened;

    /// <summary>
    /// The opening is due at the opening time, and only once the deadline has passed: a bid
    /// received exactly at the deadline is on time, also when the opening time equals the deadline.
    /// </summary>
    public static bool IsOpeningDue(TenderWindows windows, DateTimeOffset at) =>
        at >= windows.OpeningTime && at > windows.BiddingDeadline;

    /// <summary>
    /// When the opening reminder first fires: the opening time, or a millisecond after the deadline
    /// when the opening time is the deadline itself (the reminder's own resolution; a tick that
    /// still finds the opening not due waits for the next one).
    /// </summary>
    public static DateTimeOffset OpeningReminderDue(TenderWindows windows) =>
        windows.OpeningTime > windows.BiddingDeadline ? windows.OpeningTime : windows.BiddingDeadline.AddMilliseconds(1);

    /// <summary>The alliance's request to open the bids, refused before the opening is due.</summary>
    public static void RequireOpeningDue(string batchId, TenderWindows windows, DateTimeOffset now)
    {
        if (!IsOpeningDue(windows, now))
        {
            throw new ProcurementException(
                ErrorCodes.OpeningNotDue,
                $"Bids of batch {batchId} open at {windows.OpeningTime:O}, after the deadline {windows.BiddingDeadline:O}; it is {now:O}.");
        }
    }

    /// <summary>Whether the opening key can be released: always in automatic mode, with enough presented shares in officers mode.</summary>
    public static bool CanRelease(OpeningCommittee? committee, int presentedShares) =>
        committee is null || presentedShares >= committee.Threshold;

    /// <summary>An opening asked for in officers mode before enough officers presented their shares.</summary>
    public static void RequireReleasable(string batchId, OpeningCommittee? committee, int presentedShares)
    {
        if (!CanRelease(committee, presentedShares))
        {
            throw new ProcurementException(
                ErrorCodes.OpeningSharesRequired,
                $"Batch {batchId} is opened by {committee!.Threshold} of its {committee.Officers.Count} opening officers; {presentedShares} presented a share.");
        }
    }

    /// <summary>
    /// Officers present their shares to a batch in Bidding, and only once the opening is due, so
    /// that enough of them to open it never sit in memory before it.
    /// </summary>
    public static void RequireSharesTaken(string batchId, TenderBatchPhase phase, TenderWindows windows, DateTimeOffset now)
    {
        if (phase != TenderBatchPhase.Bidding)
        {
            throw new ProcurementException(ErrorCodes.InvalidTransition, $"Batch {batchId} is in {phase}; shares open a batch in Bidding.");
        }
        if (!IsOpeningDue(windows, now))
        {
            throw new ProcurementException(ErrorCodes.OpeningNotDue,
                $"Shares are presented at the opening, {windows.OpeningTime:O}, after the deadline {windows.BiddingDeadline:O}; it is {now:O}.");
        }
    }

    /// <summary>
    /// The sealed record the opening decrypts must hold exactly the bid actions the chained event
    /// log recorded: a sealed row deleted (a rival's bid made to vanish) or added without its event
    /// stops the opening (<see cref="ErrorCodes.SealBroken"/>) like an altered one.
    /// </summary>
    public static void RequireSameActions(IEnumerable<(string BidId, int Version)> recorded, IEnumerable<(string BidId, int Version)> sealedRows)
    {
        var logged = recorded.ToHashSet();
        var stored = sealedRows.ToHashSet();
        if (logged.Except(stored).OrderBy(r => r.BidId, StringComparer.Ordinal).FirstOrDefault() is { BidId: not null } missing)
        {
            throw new ProcurementException(ErrorCodes.SealBroken,
                $"Version {missing.Version} of bid {missing.BidId} is in the event log but its sealed record is gone: the store was altered.");
        }
        if (stored.Except(logged).OrderBy(r => r.BidId, StringComparer.Ordinal).FirstOrDefault() is { BidId: not null } extra)
        {
            throw new ProcurementException(ErrorCodes.SealBroken,
                $"Version {extra.Version} of bid {extra.BidId} is sealed but was never recorded in the event log: the store was altered.");
        }
    }
}
