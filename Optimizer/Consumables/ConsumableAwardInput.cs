namespace Procurement.Optimizer.Consumables;

/// <summary>
/// A consumables category batch after its opening, as winner determination reads it: the rule set
/// (one of <c>ConsumableRuleSetCatalog.Names</c>) with the batch's parameter overrides, the
/// categories (lots), every bid, and every hospital's intention (docs/CONSUMABLES.md, "Demand groups
/// and winner rules"). Checked by <see cref="ConsumableInputValidator"/> before anything is decided.
/// </summary>
public sealed record ConsumableAwardInput(
    string BatchId,
    string RuleSet,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyList<ConsumableCategoryInput> Categories,
    IReadOnlyList<ConsumableBidInput> Bids,
    IReadOnlyList<HospitalIntentionInput> Intentions);

/// <summary>How a category is bought: by the single unit, or as a product system (a hip: stem, cup, liner, head) priced as a set.</summary>
public enum PurchaseUnit
{
    Unit,
    System,
}

/// <summary>
/// A lot: one product category (e.g. drug-eluting coronary stent, cobalt-chromium platform).
/// <see cref="MaxValidPrice"/> is CNY per unit, or per system for a system category.
/// <see cref="ClassPrefix"/>, when given, is the start of the consumables code every bid's product
/// code must have (e.g. <c>C0201</c>). A system category lists its components; a bid prices each.
/// </summary>
public sealed record ConsumableCategoryInput(
    string CategoryId,
    string Name,
    string? ClassPrefix,
    decimal MaxValidPrice,
    PurchaseUnit PurchaseUnit,
    IReadOnlyList<SystemComponentInput> Components);

/// <summary>One component of a product system, with the most a bid may price it at for separate purchase (revisions), if the batch sets one.</summary>
public sealed record SystemComponentInput(string ComponentId, string Name, decimal? MaxValidPrice);

/// <summary>
/// A product: a registration certificate and a model/specification, with its 27-character
/// consumables code when the bidder gave one.
/// </summary>
public sealed record ConsumableProduct(string CertificateNumber, string Model, string? ConsumableCode)
{
    /// <summary>The product's id within a category: certificate and model, which together name one product.</summary>
    public string ProductId => $"{CertificateNumber}/{Model}";
}

/// <summary>
/// A bid as opened. <see cref="Price"/> is per unit, or the set price of a system;
/// <see cref="ComponentPrices"/> price every component of a system category (and are empty for a
/// unit category). <see cref="AffiliateGroup"/> is the firm id when the firm stands alone.
/// </summary>
public sealed record ConsumableBidInput(
    string BidId,
    string FirmId,
    string AffiliateGroup,
    string CategoryId,
    ConsumableProduct Product,
    decimal Price,
    IReadOnlyList<ComponentPrice> ComponentPrices,
    long AnnualCapacity,
    DateTimeOffset ReceivedAt,
    ConsumableQualification Qualification);

/// <summary>A component's price in a system bid (or award).</summary>
public sealed record ComponentPrice(string ComponentId, decimal Price);

/// <summary>What qualifies a bid: a valid registration certificate, and the firm not barred by its credit rating.</summary>
public sealed record ConsumableQualification(bool RegistrationValid, bool BarredByCreditRating)
{
    public bool Qualified => RegistrationValid && !BarredByCreditRating;
}

/// <summary>
/// One hospital's brand intention in one category: the firm (and, optionally, the product id as
/// <see cref="ConsumableProduct.ProductId"/>) it intends to buy, the annual quantity, and its
/// further choices in order (firm ids), which allocation reads when the intended firm loses.
/// </summary>
public sealed record HospitalIntentionInput(
    string HospitalId,
    string Region,
    string CategoryId,
    string IntendedFirmId,
    string? IntendedProductId,
    long Quantity,
    IReadOnlyList<string> FurtherChoices);
