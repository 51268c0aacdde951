using Procurement.Contracts.Domain;

namespace Procurement.BidPortal.Exports;

/// <summary>
/// An award as files for people who work in spreadsheets: the allocation per product and region,
/// the statement of why each bid won or lost, and for a hospital-level award the summary per
/// product, region and winner (its allocation list is empty). Pure: what it writes depends only on
/// the <see cref="AwardView"/> given.
/// </summary>
public static class AwardExport
{
    public const string AllocationsSheet = "Allocations";
    public const string StatementsSheet = "Statements";
    public const string HospitalSummarySheet = "HospitalSummary";

    /// <summary>One row per allocation, in the award's order.</summary>
    public static void WriteAllocationsCsv(AwardView award, Stream output)
    {
        ArgumentNullException.ThrowIfNull(award);
        Tabular.WriteCsv(award.Allocations.Select(AllocationRow.From), output);
    }

    /// <summary>One row per statement, in the award's order.</summary>
    public static void WriteStatementsCsv(AwardView award, Stream output)
    {
        ArgumentNullException.ThrowIfNull(award);
        Tabular.WriteCsv(award.Statements.Select(StatementRow.From), output);
    }

    /// <summary>
    /// A workbook with the sheets <see cref="AllocationsSheet"/> and <see cref="StatementsSheet"/>,
    /// and <see cref="HospitalSummarySheet"/> only when the award is hospital-level (non-empty
    /// summary), so a region-level workbook carries no empty sheet.
    /// </summary>
    public static void WriteXlsx(AwardView award, Stream output)
    {
        ArgumentNullException.ThrowIfNull(award);
        var sheets = new List<KeyValuePair<string, object>>
        {
            new(AllocationsSheet, award.Allocations.Select(AllocationRow.From).ToList()),
            new(StatementsSheet, award.Statements.Select(StatementRow.From).ToList()),
        };
        if (award.HospitalSummary.Count > 0)
        {
            sheets.Add(new(HospitalSummarySheet, award.HospitalSummary.Select(HospitalSummaryRow.From).ToList()));
        }

        Tabular.WriteXlsx(sheets, output);
    }
}
