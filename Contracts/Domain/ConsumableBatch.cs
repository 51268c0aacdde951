using Procurement.Contracts.Errors;

namespace Procurement.Contracts.Domain;

/// <summary>How a consumables category is bought: per unit (a stent) or as a product system (a hip: stem, cup, liner, head).</summary>
public enum ConsumablePurchaseUnit
{
    Unit = 0,
    System = 1,
}

/// <summary>
/// What makes a batch a consumables batch (issue 19): its lots by product category and the
/// consumables rule set it is awarded under, with overrides of that set's parameters (the keys of
/// the consumables rule set catalogue; any other is refused, naming it). Its batch lists no drug
/// products (refused at configuration: the consumables award awards categories only).
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableTerms")]
public sealed record ConsumableTerms(
    [property: Id(0)] IReadOnlyList<ConsumableLot> Categories,
    [property: Id(1)] string RuleSetName,
    [property: Id(2)] IReadOnlyDictionary<string, string> Parameters);

/// <summary>
/// A lot: one product category. <see cref="ClassPrefix"/>, when given, is the start of the
/// national consumables code (<c>C0201</c>, ending where a part of the code ends) every product of
/// the category must have. <see cref="MaxValidPrice"/> is CNY per unit, or per system.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableLot")]
public sealed record ConsumableLot(
    [property: Id(0)] string CategoryId,
    [property: Id(1)] string Name,
    [property: Id(2)] string? ClassPrefix,
    [property: Id(3)] decimal MaxValidPrice,
    [property: Id(4)] ConsumablePurchaseUnit PurchaseUnit,
    [property: Id(5)] IReadOnlyList<ConsumableLotComponent> Components);

/// <summary>A component of a product system, with its optional maximum valid price for separate purchase (CNY).</summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableLotComponent")]
public sealed record ConsumableLotComponent(
    [property: Id(0)] string ComponentId,
    [property: Id(1)] string Name,
    [property: Id(2)] decimal? MaxValidPrice);

/// <summary>
/// A hospital's brand intention for one category of a consumables batch: the firm and, if it
/// intends a particular one, the product (registration certificate + model, both or neither,
/// optionally its 27-character code) it intends to buy, the annual quantity (units, or systems),
/// and further choices (firm ids, in order) should that firm lose. With no product any product of
/// the firm will do. Below its share of a known history the hospital gives a reason, as for drugs.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableIntentionLine")]
public sealed record ConsumableIntentionLine(
    [property: Id(0)] string CategoryId,
    [property: Id(1)] string ManufacturerId,
    [property: Id(2)] string? CertificateNumber,
    [property: Id(3)] string? Model,
    [property: Id(4)] string? ConsumableCode,
    [property: Id(5)] long AnnualQuantity,
    [property: Id(6)] IReadOnlyList<string>? FurtherChoices,
    [property: Id(7)] string? BelowHistoryReason);

/// <summary>A stored brand intention with its revision number and time; no certificate and model: any product of the firm.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableIntention")]
public sealed record ConsumableIntention(
    [property: Id(0)] string BatchId,
    [property: Id(1)] string HospitalId,
    [property: Id(2)] string CategoryId,
    [property: Id(3)] string ManufacturerId,
    [property: Id(4)] string? CertificateNumber,
    [property: Id(5)] string? Model,
    [property: Id(6)] string? ConsumableCode,
    [property: Id(7)] long AnnualQuantity,
    [property: Id(8)] IReadOnlyList<string> FurtherChoices,
    [property: Id(9)] string? BelowHistoryReason,
    [property: Id(10)] int Revision,
    [property: Id(11)] DateTimeOffset ReportedAt);

/// <summary>The demand of a consumables batch as the alliance reads it: per category, the intentions and each intended firm's total.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableDemand")]
public sealed record ConsumableDemand(
    [property: Id(0)] string BatchId,
    [property: Id(1)] TenderBatchPhase Phase,
    [property: Id(2)] IReadOnlyList<ConsumableCategoryDemand> Categories);

/// <summary>
/// One category's intended demand: the total, the hospitals that stated an intention, each firm's
/// total and share (highest first, equal totals by firm id: the order the A/B grouping reads), and the intentions.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableCategoryDemand")]
public sealed record ConsumableCategoryDemand(
    [property: Id(0)] string CategoryId,
    [property: Id(1)] string Name,
    [property: Id(2)] long TotalQuantity,
    [property: Id(3)] int Hospitals,
    [property: Id(4)] IReadOnlyList<ConsumableFirmDemand> Firms,
    [property: Id(5)] IReadOnlyList<ConsumableIntention> Intentions);

/// <summary>A firm's intended quantity in a category, its share of the category's total (6 decimals) and how many hospitals named it.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableFirmDemand")]
public sealed record ConsumableFirmDemand(
    [property: Id(0)] string ManufacturerId,
    [property: Id(1)] long Quantity,
    [property: Id(2)] decimal Share,
    [property: Id(3)] int Hospitals);

/// <summary>
/// A page of a consumables batch's demand: the intentions of one category (or of all, null) after
/// the cursor a previous page gave (<see cref="ConsumableDemandPage.NextCursor"/>; null for the first
/// page), at most <see cref="Limit"/> of them, from 1 to <see cref="MaxLimit"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableDemandPageRequest")]
public sealed record ConsumableDemandPageRequest(
    [property: Id(0)] string? CategoryId,
    [property: Id(1)] string? After,
    [property: Id(2)] int Limit)
{
    /// <summary>The most intentions a page holds: a page's further choices are read with its hospitals and categories as one list of parameters, which stays well within every database's limit.</summary>
    public const int MaxLimit = 500;

    /// <summary>The page size when a paged read names no limit.</summary>
    public const int DefaultLimit = 100;

    /// <summary>
    /// The most intentions the unpaged demand read returns: above it the caller reads the totals
    /// and intentions in pages (about 1.5 MB of JSON; a national round's 2,400 hospitals in two
    /// categories fit).
    /// </summary>
    public const int MaxUnpagedIntentions = 5_000;

    /// <summary>Refuses the unpaged read of a batch with more than <see cref="MaxUnpagedIntentions"/> intentions (<c>PAGE_REQUIRED</c>, field <c>limit</c>).</summary>
    public static void RequireUnpagedWithinBound(string batchId, long intentions)
    {
        if (intentions > MaxUnpagedIntentions)
        {
            throw new ProcurementException(ErrorCodes.PageRequired,
                $"Batch {batchId} has {intentions:N0} intentions; above {MaxUnpagedIntentions:N0} read them in pages (limit, after, category).", "limit");
        }
    }
}

/// <summary>
/// One page of a consumables batch's intentions, ordered by category id and hospital id (the
/// store's order of text), with how many intentions the read covers in all (of the category, or of
/// the batch) and the cursor of the next page (null on the last).
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableDemandPage")]
public sealed record ConsumableDemandPage(
    [property: Id(0)] string BatchId,
    [property: Id(1)] TenderBatchPhase Phase,
    [property: Id(2)] string? CategoryId,
    [property: Id(3)] long TotalIntentions,
    [property: Id(4)] IReadOnlyList<ConsumableIntention> Intentions,
    [property: Id(5)] string? NextCursor);
