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

    private const string AddSql = """
        UPDATE platform_purchases SET units = units + @Units, amount_e6 = amount_e6 + @AmountE6
         WHERE agreement_id = @AgreementId AND hospital_id = @HospitalId AND month = @Month AND classification = @Classification
        """;

    private const string InsertSql = """
        INSERT INTO platform_purchases (agreement_id, hospital_id, month, classification, units, amount_e6)
        VALUES (@AgreementId, @HospitalId, @Month, @Classification, @Units, @AmountE6)
        """;

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

    private static readonly Prepared<Row> Add = new(AddSql, Columns);

    private static readonly Prepared<Row> Insert = new(InsertSql, Columns);

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
        // A hospital's acceptance touches one row per agreement (55 in a national round's order):
        // the additions go in one round trip, the rows still missing in a second. The hospital's
        // grain is the only writer of its rows, so no other unit inserts one in between.
        var writes = new StatementBatch(unit);
        foreach (var row in rows)
        {
            writes.Add(Add, row);
        }
        var changed = await writes.ExecuteCountedAsync();
        for (var i = 0; i < rows.Count; i++)
        {
            if (changed[i] == 0)
            {
                writes.Add(Insert, rows[i]);
            }
        }
        await writes.ExecuteAsync();
        UsageRepository.AddCompletion(unit, completion);
    }
}
