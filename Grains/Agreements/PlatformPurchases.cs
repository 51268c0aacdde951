using System.Collections.Concurrent;
using Procurement.Contracts.Domain;
using Procurement.Grains.Agreements.Domain;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Agreements;

/// <summary>
/// What a hospital bought on the platform: the units it accepted of its deliveries, by the business
/// month of the acceptance. A line ordered under an agreement (drawn down against it) counts toward
/// that agreement as agreed units, in the agreement year it drew down from: even when the agreement
/// has since been taken over or has ended, and, accepted after that year ended, in the year's last
/// month. Any other line is classified as the hospital's monthly declarations are
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
    /// <summary>
    /// Units of a product from a brand that a hospital accepted, and what they cost; with the
    /// agreement the line was ordered under, if any, and the business month it was ordered in.
    /// </summary>
    public sealed record Accepted(string ProductId, string ManufacturerId, long Units, decimal Amount, string? AgreementId, int OrderedMonth);

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
        var byId = context.Agreements.ToDictionary(a => a.AgreementId, StringComparer.Ordinal);
        var classified = new List<(int Month, ClassifiedLine Line)>(lines.Count);
        foreach (var line in lines)
        {
            var usage = new UsageLine(line.ProductId, line.ManufacturerId, line.Units, line.Amount);
            if (line.AgreementId is { } agreementId && byId.TryGetValue(agreementId, out var orderedUnder))
            {
                // The agreement the line drew down from, whatever runs in the month of acceptance
                // (a takeover's successor, a renewal, none), in the agreement year of the draw-down.
                var year = orderedUnder.YearStart(line.OrderedMonth);
                classified.Add((orderedUnder.YearStart(month) == year ? month : year + 11, new ClassifiedLine(usage, UsageClassification.Agreed, agreementId)));
            }
            else if (UsageClassifier.Classify(month, usage, context.Agreements, context.Substitutes) is
                { AgreementId: not null, Classification: not UsageClassification.OutsideAgreement } counted)
            {
                classified.Add((month, counted));
            }
        }
        if (classified.Count == 0)
        {
            return;
        }
        var add = Add.GetOrAdd(unit.Dialect.Statements.AddPlatformPurchase, static sql => new Prepared<Row>(sql, Columns));
        var writes = new StatementBatch(unit);
        var completion = new List<CompletionDelta>();
        foreach (var byMonth in classified.GroupBy(c => c.Month))
        {
            var monthLines = byMonth.Select(c => c.Line).ToList();
            // Each acceptance adds to the month: no line is replaced, so no month lines are passed.
            completion.AddRange(UsageClassifier.CompletionDeltas(hospitalId, byMonth.Key, monthLines, context.Agreements, context.AgreedUnits,
                new Dictionary<(string ProductId, string ManufacturerId), MonthLine>()));
            foreach (var g in monthLines.GroupBy(c => (c.AgreementId!, c.Classification)))
            {
                writes.Add(add, new Row(g.Key.Item1, hospitalId, byMonth.Key, (int)g.Key.Classification, g.Sum(c => c.Line.Units), g.Sum(c => Scaled.ToE6(c.Line.Amount, "amount"))));
            }
        }
        // A hospital's acceptance touches one row per agreement (55 in a national round's order),
        // each added to or made by one upsert (the first acceptance of a month makes its rows).
        await writes.ExecuteAsync();
        UsageRepository.AddCompletion(unit, completion);
    }
}
