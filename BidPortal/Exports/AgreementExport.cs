using Procurement.Contracts.Domain;

namespace Procurement.BidPortal.Exports;

/// <summary>
/// Agreements as files, every field of <see cref="Agreement"/> one column, for the alliance and
/// the regions' insurance offices that reconcile them outside the portal. Pure over the list given.
/// </summary>
public static class AgreementExport
{
    public const string Sheet = "Agreements";

    /// <summary>One row per agreement, in the order given.</summary>
    public static void WriteCsv(IReadOnlyList<Agreement> agreements, Stream output)
    {
        ArgumentNullException.ThrowIfNull(agreements);
        Tabular.WriteCsv(agreements.Select(AgreementRow.From), output);
    }

    /// <summary>A workbook with the single sheet <see cref="Sheet"/>, the same columns as the CSV.</summary>
    public static void WriteXlsx(IReadOnlyList<Agreement> agreements, Stream output)
    {
        ArgumentNullException.ThrowIfNull(agreements);
        Tabular.WriteXlsx([new(Sheet, agreements.Select(AgreementRow.From).ToList())], output);
    }
}
