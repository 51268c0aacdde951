using CsvHelper.Configuration.Attributes;
using MiniExcelLibs.Attributes;
using Procurement.Contracts.Domain;

namespace Procurement.BidPortal.Exports;

/// <summary>
/// A consumables award's figures per category and demand group, as the engine decided them before
/// any winner: the group's maximum valid price, its firms and competing bidders, the lowest and the
/// reference price, the winner cap (empty: none) and how many bidders won.
/// </summary>
internal sealed record ConsumableGroupRow(
    [property: Name("category_id"), ExcelColumnName("category_id")] string CategoryId,
    [property: Name("group"), ExcelColumnName("group")] string Group,
    [property: Name("max_valid_price"), ExcelColumnName("max_valid_price")] decimal MaxValidPrice,
    [property: Name("firms"), ExcelColumnName("firms")] int Firms,
    [property: Name("competing_bidders"), ExcelColumnName("competing_bidders")] int CompetingBidders,
    [property: Name("lowest_price"), ExcelColumnName("lowest_price")] decimal? LowestPrice,
    [property: Name("reference_price"), ExcelColumnName("reference_price")] decimal? ReferencePrice,
    [property: Name("winner_cap"), ExcelColumnName("winner_cap")] int? WinnerCap,
    [property: Name("winning_bidders"), ExcelColumnName("winning_bidders")] int WinningBidders)
{
    public static ConsumableGroupRow From(ConsumableAwardGroup g) => new(
        g.CategoryId, g.Group, g.MaxValidPrice, g.Firms, g.CompetingBidders, g.LowestPrice, g.ReferencePrice, g.WinnerCap, g.WinningBidders);
}

/// <summary>
/// Why one consumables bid won or lost: the bid's public offer number (what tells a firm's bids in
/// a category apart), its demand group and its firm's intended volume and share of the category's
/// intended demand, its price (the set price of a system), the group's reference and the ratio to
/// it, rank, the reason code and the rule in words. The product comes from the award's winners, so
/// it is filled for winning bids only; the group, volume and share of a losing bid are empty only in
/// an award stored before its statements kept them (migration 0034), where a winner's group still
/// comes from the winners.
/// </summary>
internal sealed record ConsumableStatementRow(
    [property: Name("bid_id"), ExcelColumnName("bid_id")] string BidId,
    [property: Name("category_id"), ExcelColumnName("category_id")] string CategoryId,
    [property: Name("manufacturer_id"), ExcelColumnName("manufacturer_id")] string ManufacturerId,
    [property: Name("offer_number"), ExcelColumnName("offer_number")] int? OfferNumber,
    [property: Name("product_id"), ExcelColumnName("product_id")] string? ProductId,
    [property: Name("group"), ExcelColumnName("group")] string? Group,
    [property: Name("firm_intended_volume"), ExcelColumnName("firm_intended_volume")] long? FirmIntendedVolume,
    [property: Name("firm_demand_share"), ExcelColumnName("firm_demand_share")] decimal? FirmDemandShare,
    [property: Name("price"), ExcelColumnName("price")] decimal Price,
    [property: Name("reference_price"), ExcelColumnName("reference_price")] decimal? ReferencePrice,
    [property: Name("ratio_to_reference"), ExcelColumnName("ratio_to_reference")] decimal? RatioToReference,
    [property: Name("rank"), ExcelColumnName("rank")] int? Rank,
    [property: Name("won"), ExcelColumnName("won")] bool Won,
    [property: Name("reason"), ExcelColumnName("reason")] string Reason,
    [property: Name("rule"), ExcelColumnName("rule")] string Rule,
    [property: Name("awarded_price"), ExcelColumnName("awarded_price")] decimal? AwardedPrice)
{
    public static ConsumableStatementRow From(AwardStatement s, ConsumableAwardStatement? consumable, ConsumableAwardWinner? winner) => new(
        ExportText.Id(s.BidId), s.ProductId, s.ManufacturerId, consumable?.OfferNumber, winner?.ProductId, consumable?.Group ?? winner?.Group,
        consumable?.FirmIntendedVolume, consumable?.FirmDemandShare, s.UnitComparablePrice, s.Anchor, s.RatioToAnchor, s.Rank, s.Won, s.Reason, s.Rule,
        s.AwardedUnitPrice);
}

/// <summary>
/// What one hospital buys in one category: the firm it intended, the firm and bid it was given
/// (empty when no winner had room), the place of that firm in its choice list (0 = its first
/// available choice), how it was placed and why it chose again, the quantity, price and amount.
/// </summary>
internal sealed record ConsumableSupplyRow(
    [property: Name("category_id"), ExcelColumnName("category_id")] string CategoryId,
    [property: Name("hospital_id"), ExcelColumnName("hospital_id")] string HospitalId,
    [property: Name("region_code"), ExcelColumnName("region_code")] string RegionCode,
    [property: Name("intended_manufacturer_id"), ExcelColumnName("intended_manufacturer_id")] string IntendedManufacturerId,
    [property: Name("manufacturer_id"), ExcelColumnName("manufacturer_id")] string? ManufacturerId,
    [property: Name("bid_id"), ExcelColumnName("bid_id")] string? BidId,
    [property: Name("choice_rank"), ExcelColumnName("choice_rank")] int ChoiceRank,
    [property: Name("choice_kind"), ExcelColumnName("choice_kind")] string ChoiceKind,
    [property: Name("chose_again_reason"), ExcelColumnName("chose_again_reason")] string? ChoseAgainReason,
    [property: Name("quantity"), ExcelColumnName("quantity")] long Quantity,
    [property: Name("unit_price"), ExcelColumnName("unit_price")] decimal? UnitPrice,
    [property: Name("amount"), ExcelColumnName("amount")] decimal? Amount)
{
    public static ConsumableSupplyRow From(ConsumableAwardSupply s) => new(
        s.CategoryId, s.HospitalId, s.RegionCode, s.IntendedManufacturerId, s.ManufacturerId, ExportText.Id(s.BidId),
        s.ChoiceRank, s.ChoiceKind, s.ChoseAgainReason, s.Quantity, s.UnitPrice, s.Amount);
}
