using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;

namespace Procurement.BidPortal.Exports;

/// <summary>
/// A consumables award as files: the figures per category and demand group, the statement of every
/// bid with its reason code, and every hospital's supply with its choice rank and the firm it was
/// given. Pure over the <see cref="AwardView"/> given: the portal passes the view as the caller may
/// see it (AwardApi.VisibleAwardAsync), so a manufacturer's file holds its own statements and the
/// supplies it makes, a hospital's its own supplies.
/// </summary>
public static class ConsumableAwardExport
{
    public const string GroupsSheet = "Groups";
    public const string StatementsSheet = "Statements";
    public const string SuppliesSheet = "Supplies";

    /// <summary>
    /// The most rows one table of an export holds. An XLSX sheet holds at most 1,048,576 rows, and
    /// the file is built in memory before it is sent, so a larger table is refused
    /// (<c>TOO_MANY_ROWS</c>) rather than cut short or held whole: the supplies of a national round
    /// (about 2,400 hospitals a category) stay far below it.
    /// </summary>
    public const int MaxRows = 1_000_000;

    public static void WriteGroupsCsv(AwardView award, Stream output) =>
        Tabular.WriteCsv(Groups(Consumables(award), MaxRows), output);

    public static void WriteStatementsCsv(AwardView award, Stream output) =>
        Tabular.WriteCsv(Statements(award, Consumables(award), MaxRows), output);

    public static void WriteSuppliesCsv(AwardView award, Stream output) =>
        Tabular.WriteCsv(Supplies(Consumables(award), MaxRows), output);

    /// <summary>A workbook with the sheets <see cref="GroupsSheet"/>, <see cref="StatementsSheet"/> and <see cref="SuppliesSheet"/>, the columns of the CSVs.</summary>
    public static void WriteXlsx(AwardView award, Stream output)
    {
        var consumables = Consumables(award);
        Tabular.WriteXlsx(
        [
            new(GroupsSheet, Groups(consumables, MaxRows)),
            new(StatementsSheet, Statements(award, consumables, MaxRows)),
            new(SuppliesSheet, Supplies(consumables, MaxRows)),
        ], output);
    }

    /// <summary>The award's consumables part; a drug award has none to export.</summary>
    internal static ConsumableAwardView Consumables(AwardView award)
    {
        ArgumentNullException.ThrowIfNull(award);
        return award.Consumables
            ?? throw new ProcurementException(ErrorCodes.NotFound, $"The award of batch {award.BatchId} is not a consumables award.", "batchId");
    }

    internal static List<ConsumableGroupRow> Groups(ConsumableAwardView consumables, int maxRows) =>
        Limited(consumables.Groups, maxRows, "groups").Select(ConsumableGroupRow.From).ToList();

    internal static List<ConsumableStatementRow> Statements(AwardView award, ConsumableAwardView consumables, int maxRows)
    {
        var winners = consumables.Winners.GroupBy(w => w.BidId).ToDictionary(g => g.Key, g => g.First());
        var parts = consumables.Statements.GroupBy(s => s.BidId).ToDictionary(g => g.Key, g => g.First());
        return Limited(award.Statements, maxRows, "statements")
            .Select(s => ConsumableStatementRow.From(s, parts.GetValueOrDefault(s.BidId), winners.GetValueOrDefault(s.BidId)))
            .ToList();
    }

    internal static List<ConsumableSupplyRow> Supplies(ConsumableAwardView consumables, int maxRows) =>
        Limited(consumables.Supplies, maxRows, "supplies").Select(ConsumableSupplyRow.From).ToList();

    private static IReadOnlyList<T> Limited<T>(IReadOnlyList<T> rows, int maxRows, string table) =>
        rows.Count <= maxRows
            ? rows
            : throw new ProcurementException(ErrorCodes.TooManyRows,
                $"The award's {table} have {rows.Count:N0} rows, more than one export holds ({maxRows:N0}).", "batchId");
}
