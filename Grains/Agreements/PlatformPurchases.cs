using System.Collections.Concurrent;
using Procurement.Contracts.Domain;
using Procurement.Grains.Agreements.Domain;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Agreements;

/// <summary>
/// What a hospital bought on the platform: the units it accepted of its deliveries, by the business
/// month of the acceptance, classified as the hospital's monthly declarations are
/// (<see cref="UsageClassifier"/>). These are what agreement completion counts; they are written in
/// the acceptance's own transaction, with the kept completion rows' change, so the figures never
/// lag the deliveries.
/// </summary>
/// <remarks>
/// Rows are kept per agreement, hospital, month and classification (<c>platform_purchases</c>),
/// each acceptance adding to its row; a line with no agreement to count against (a listed product
/// the hospital has not declared a substitute, or a month outside every agreement's period) is
/// not kept here, since it counts toward nothing. The delivery itself is the record of what was
/// bought; these rows are its sums.
/// </remarks>
public static class PlatformPurchases
{
    /// <summary>Units of a product from a brand that a hospital accepted, and what they cost.</summary>
    public sealed record Accepted(string ProductId, string ManufacturerId, long Units, decimal Amount);

    private readonly record struct Row(string AgreementId, string HospitalId, int Month, int Classification, long Units, long AmountE6);

    private static readonly (string, Func<Row, object?>)[] Columns =
    [
        ("AgreementId", r => r.AgreementId),
        ("HospitalId", r => r.HospitalId),
        ("Month", r => r.Month),
        ("Classification", r => r.Classification),
        ("Units", r => r.Units),
        ("AmountE6", r => r.AmountE6),
    ];

    // One statement per dialect's text (DialectStatements.AddPlatformPurchase), made on first use.
    private static readonly ConcurrentDictionary<string, Prepared<Row>> Add = new(StringComparer.Ordinal);

    /// <summary>
    /// Adds what <paramref name="hospitalId"/> accepted in <paramref name="month"/> to its platform
    /// purchases and their change to the kept completion, inside the acceptance's unit of work.
    /// </summary>
    public static async Task RecordAsync(WriteContext unit, string hospitalId, int month, IReadOnlyList<Accepted> accepted)
    {
        var lines = accepted.Where(a => a.Units > 0).ToList();
        if (lines.Count == 0)
        {
            return;
        }
        var (connection, transaction) = unit;
        var context = await UsageRepository.LoadContextAsync(connection, transaction, hospitalId, null, [], withAgreedUnits: true);
        var classified = new List<ClassifiedLine>(lines.Count);
        foreach (var line in lines)
        {
            if (UsageClassifier.Classify(month, new UsageLine(line.ProductId, line.ManufacturerId, line.Units, line.Amount), context.Agreements, context.Substitutes) is
                { AgreementId: not null, Classification: not UsageClassification.OutsideAgreement } counted)
            {
                classified.Add(counted);
            }
        }
        if (classified.Count == 0)
        {
            return;
        }
        // Each acceptance adds to the month: no line is replaced, so no month lines are passed.
        var completion = UsageClassifier.CompletionDeltas(hospitalId, month, classified, context.Agreements, context.AgreedUnits,
            new Dictionary<(string ProductId, string ManufacturerId), MonthLine>());
        var rows = classified
            .GroupBy(c => (c.AgreementId!, c.Classification))
            .Select(g => new Row(g.Key.Item1, hospitalId, month, (int)g.Key.Classification, g.Sum(c => c.Line.Units), g.Sum(c => Scaled.ToE6(c.Line.Amount, "amount"))))
            .ToList();
        // A hospital's acceptance touches one row per agreement (55 in a national round's order),
        // each added to or made by one upsert (the first acceptance of a month makes its rows).
        var add = Add.GetOrAdd(unit.Dialect.Statements.AddPlatformPurchase, static sql => new Prepared<Row>(sql, Columns));
        var writes = new StatementBatch(unit);
        foreach (var row in rows)
        {
            writes.Add(add, row);
        }
        await writes.ExecuteAsync();
        UsageRepository.AddCompletion(unit, completion);
    }
}
