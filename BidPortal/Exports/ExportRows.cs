using System.Globalization;
using CsvHelper.Configuration.Attributes;
using MiniExcelLibs.Attributes;
using Procurement.Contracts.Domain;

namespace Procurement.BidPortal.Exports;

/// <summary>
/// One award allocation as a flat row. CSV and XLSX share the row types so that a reader who
/// switches format finds the same columns in the same order; ids are text because a spreadsheet
/// would otherwise mangle them, money stays <see cref="decimal"/> so no figure is rounded on the way out.
/// </summary>
internal sealed record AllocationRow(
    [property: Name("product_id"), ExcelColumnName("product_id")] string ProductId,
    [property: Name("region_code"), ExcelColumnName("region_code")] string RegionCode,
    [property: Name("primary_manufacturer_id"), ExcelColumnName("primary_manufacturer_id")] string PrimaryManufacturerId,
    [property: Name("primary_bid_id"), ExcelColumnName("primary_bid_id")] string PrimaryBidId,
    [property: Name("spare_manufacturer_id"), ExcelColumnName("spare_manufacturer_id")] string? SpareManufacturerId,
    [property: Name("spare_bid_id"), ExcelColumnName("spare_bid_id")] string? SpareBidId,
    [property: Name("agreed_volume"), ExcelColumnName("agreed_volume")] long AgreedVolume,
    [property: Name("unit_price"), ExcelColumnName("unit_price")] decimal UnitPrice,
    [property: Name("amount"), ExcelColumnName("amount")] decimal Amount)
{
    public static AllocationRow From(AwardAllocation a) => new(
        a.ProductId, a.RegionCode, a.PrimaryManufacturerId, ExportText.Id(a.PrimaryBidId),
        a.SpareManufacturerId, ExportText.Id(a.SpareBidId), a.AgreedVolume, a.UnitPrice, a.Amount);
}

/// <summary>Why one bid won or lost, flat, so bidders and auditors can sort and filter the reasons.</summary>
internal sealed record StatementRow(
    [property: Name("bid_id"), ExcelColumnName("bid_id")] string BidId,
    [property: Name("product_id"), ExcelColumnName("product_id")] string ProductId,
    [property: Name("manufacturer_id"), ExcelColumnName("manufacturer_id")] string ManufacturerId,
    [property: Name("unit_comparable_price"), ExcelColumnName("unit_comparable_price")] decimal UnitComparablePrice,
    [property: Name("anchor"), ExcelColumnName("anchor")] decimal? Anchor,
    [property: Name("ratio_to_anchor"), ExcelColumnName("ratio_to_anchor")] decimal? RatioToAnchor,
    [property: Name("rank"), ExcelColumnName("rank")] int? Rank,
    [property: Name("won"), ExcelColumnName("won")] bool Won,
    [property: Name("reason"), ExcelColumnName("reason")] string Reason,
    [property: Name("rule"), ExcelColumnName("rule")] string Rule,
    [property: Name("revival_unit_price"), ExcelColumnName("revival_unit_price")] decimal? RevivalUnitPrice,
    [property: Name("awarded_unit_price"), ExcelColumnName("awarded_unit_price")] decimal? AwardedUnitPrice,
    [property: Name("awarded_price_per_pack"), ExcelColumnName("awarded_price_per_pack")] decimal? AwardedPricePerPack)
{
    public static StatementRow From(AwardStatement s) => new(
        ExportText.Id(s.BidId), s.ProductId, s.ManufacturerId, s.UnitComparablePrice, s.Anchor, s.RatioToAnchor,
        s.Rank, s.Won, s.Reason, s.Rule, s.RevivalUnitPrice, s.AwardedUnitPrice, s.AwardedPricePerPack);
}

/// <summary>
/// A hospital-level award's share per product, region and winner: the only region-level figures
/// such an award has, since its allocation list stays empty.
/// </summary>
internal sealed record HospitalSummaryRow(
    [property: Name("product_id"), ExcelColumnName("product_id")] string ProductId,
    [property: Name("region_code"), ExcelColumnName("region_code")] string RegionCode,
    [property: Name("primary_manufacturer_id"), ExcelColumnName("primary_manufacturer_id")] string PrimaryManufacturerId,
    [property: Name("primary_bid_id"), ExcelColumnName("primary_bid_id")] string PrimaryBidId,
    [property: Name("hospitals"), ExcelColumnName("hospitals")] int Hospitals,
    [property: Name("named_brand_hospitals"), ExcelColumnName("named_brand_hospitals")] int NamedBrandHospitals,
    [property: Name("agreed_volume"), ExcelColumnName("agreed_volume")] long AgreedVolume,
    [property: Name("amount"), ExcelColumnName("amount")] decimal Amount)
{
    public static HospitalSummaryRow From(AwardHospitalSummary h) => new(
        h.ProductId, h.RegionCode, h.PrimaryManufacturerId, ExportText.Id(h.PrimaryBidId),
        h.Hospitals, h.NamedBrandHospitals, h.AgreedVolume, h.Amount);
}

/// <summary>
/// Every field of an agreement, flat. Dates are ISO text (yyyy-MM-dd) in both formats: they are
/// business dates without a time or zone, and text keeps Excel from shifting or reformatting them.
/// </summary>
internal sealed record AgreementRow(
    [property: Name("agreement_id"), ExcelColumnName("agreement_id")] string AgreementId,
    [property: Name("batch_id"), ExcelColumnName("batch_id")] string BatchId,
    [property: Name("product_id"), ExcelColumnName("product_id")] string ProductId,
    [property: Name("region_code"), ExcelColumnName("region_code")] string RegionCode,
    [property: Name("manufacturer_id"), ExcelColumnName("manufacturer_id")] string ManufacturerId,
    [property: Name("bid_id"), ExcelColumnName("bid_id")] string BidId,
    [property: Name("spare_manufacturer_id"), ExcelColumnName("spare_manufacturer_id")] string? SpareManufacturerId,
    [property: Name("spare_bid_id"), ExcelColumnName("spare_bid_id")] string? SpareBidId,
    [property: Name("annual_volume"), ExcelColumnName("annual_volume")] long AnnualVolume,
    [property: Name("unit_price"), ExcelColumnName("unit_price")] decimal UnitPrice,
    [property: Name("annual_amount"), ExcelColumnName("annual_amount")] decimal AnnualAmount,
    [property: Name("start"), ExcelColumnName("start")] string Start,
    [property: Name("end"), ExcelColumnName("end")] string End,
    [property: Name("state"), ExcelColumnName("state")] string State,
    [property: Name("version"), ExcelColumnName("version")] int Version,
    [property: Name("previous_agreement_id"), ExcelColumnName("previous_agreement_id")] string? PreviousAgreementId,
    [property: Name("state_reason"), ExcelColumnName("state_reason")] string? StateReason,
    [property: Name("hospitals"), ExcelColumnName("hospitals")] int Hospitals)
{
    public static AgreementRow From(Agreement a) => new(
        ExportText.Id(a.AgreementId), a.BatchId, a.ProductId, a.RegionCode, a.ManufacturerId, ExportText.Id(a.BidId),
        a.SpareManufacturerId, ExportText.Id(a.SpareBidId), a.AnnualVolume, a.UnitPrice, a.AnnualAmount,
        ExportText.Date(a.Start), ExportText.Date(a.End), a.State.ToString(), a.Version,
        ExportText.Id(a.PreviousAgreementId), a.StateReason, a.Hospitals);
}

/// <summary>The one text form of ids and dates every export uses, so files from different exports join on them.</summary>
internal static class ExportText
{
    public static string Id(Guid id) => id.ToString("D", CultureInfo.InvariantCulture);

    public static string? Id(Guid? id) => id is { } value ? Id(value) : null;

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
