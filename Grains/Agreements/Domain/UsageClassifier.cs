using System.Globalization;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;

namespace Procurement.Grains.Agreements.Domain;

/// <summary>A line ready to store: what the hospital sent and how it counts.</summary>
public sealed record ClassifiedLine(UsageLine Line, UsageClassification Classification, string? AgreementId);

/// <summary>A line already stored for the month being written: what an amendment replaces.</summary>
public sealed record MonthLine(int Classification, string? AgreementId, long Units, long AmountE6, int Revision = 0);

/// <summary>
/// A change to the kept completion of an agreement (<see cref="AgreementId"/>) or of a
/// hospital in a batch (<see cref="HospitalId"/>) in the agreement year from <see cref="YearStart"/>.
/// </summary>
public sealed record CompletionDelta(string BatchId, int YearStart, long Agreed, long Counted, long Surplus, long Substitutes, long SpentE6, long BudgetE6)
{
    public string? AgreementId { get; init; }

    /// <summary>Units of the agreed brand the hospital declared as bought off the platform: a figure of their own, counted toward nothing.</summary>
    public long Declared { get; init; }

    public string? HospitalId { get; init; }
}

/// <summary>
/// How a hospital's purchase line counts (the <see cref="UsageClassification"/> it gets), and what
/// a month's lines change in the kept completion. A line is agreed when an agreement of the
/// hospital for its product runs that month and the brand is its supplier's; another brand is a
/// substitute; a declared substitute product counts against the agreement of the product it stands
/// for; outside every agreement's period it counts for nothing; a product with neither agreement
/// nor declaration is refused. Lines come from two channels: the platform's (what the hospital
/// accepted of its deliveries, <see cref="CompletionDeltas"/>), whose agreed units count toward
/// completion (<see cref="CompletionRule"/>) and substitutes apart; and the hospital's monthly
/// declaration of what it bought off the platform (<see cref="DeclaredDeltas"/>), kept as a figure
/// of its own. Spending is every line under an agreement, on either channel.
/// </summary>
public static class UsageClassifier
{
    /// <summary>What a classification counts toward.</summary>
    public enum Counts
    {
        Nothing,
        Agreed,
        Substitute,
    }

    public static Counts CountsToward(UsageClassification classification) => classification switch
    {
        UsageClassification.Agreed => Counts.Agreed,
        UsageClassification.SubstituteBrand or UsageClassification.DeclaredSubstitute => Counts.Substitute,
        _ => Counts.Nothing,
    };

    /// <summary>
    /// <see cref="CountsToward"/> in SQL, over the platform's purchase lines <c>u</c>: the agreed
    /// units, the substitute units and the spending of a group of lines, with the parameters of
    /// <see cref="SqlParameters"/>.
    /// </summary>
    public const string SumsSql = """
        SUM(CASE WHEN u.classification = @Agreed THEN u.units ELSE 0 END) AS agreed_units,
        SUM(CASE WHEN u.classification IN (@SubstituteBrand, @DeclaredSubstitute) THEN u.units ELSE 0 END) AS substitute_units,
        SUM(CASE WHEN u.classification IN (@Agreed, @SubstituteBrand, @DeclaredSubstitute) THEN u.amount_e6 ELSE 0 END) AS spent_e6
        """;

    /// <summary>
    /// The declared off-platform figures in SQL, over the hospitals' declared lines <c>u</c>: the
    /// agreed brand's units (the figure of their own) and the spending (which retained savings count
    /// on either channel).
    /// </summary>
    public const string DeclaredSumsSql = """
        SUM(CASE WHEN u.classification = @Agreed THEN u.units ELSE 0 END) AS declared_units,
        SUM(CASE WHEN u.classification IN (@Agreed, @SubstituteBrand, @DeclaredSubstitute) THEN u.amount_e6 ELSE 0 END) AS declared_spent_e6
        """;

    /// <summary>The classifications SQL names, by the C# enum's names.</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, object>> SqlParameters =
    [
        new(nameof(UsageClassification.Agreed), (int)UsageClassification.Agreed),
        new(nameof(UsageClassification.SubstituteBrand), (int)UsageClassification.SubstituteBrand),
        new(nameof(UsageClassification.DeclaredSubstitute), (int)UsageClassification.DeclaredSubstitute),
    ];

    /// <summary>
    /// Checks and classifies a month's lines against the hospital's agreements and declared
    /// substitutes; errors carry the 1-based line number and the field.
    /// </summary>
    public static (List<ClassifiedLine> Lines, List<RowError> Errors) Classify(
        string hospitalId,
        int month,
        IReadOnlyList<UsageLine> lines,
        IReadOnlyList<HospitalAgreement> agreements,
        IReadOnlyDictionary<string, string> substitutes,
        IReadOnlySet<string> unknownManufacturers)
    {
        var errors = new List<RowError>();
        var classified = new List<ClassifiedLine>(lines.Count);
        var seen = new HashSet<(string, string)>();
        for (var i = 0; i < lines.Count; i++)
        {
            var row = i + 1;
            var line = lines[i];
            if (line is null)
            {
                errors.Add(new RowError(row, "line", ErrorCodes.RequiredField, "The line is empty."));
                continue;
            }
            var before = errors.Count;
            if (string.IsNullOrWhiteSpace(line.ProductId))
            {
                errors.Add(new RowError(row, "productId", ErrorCodes.RequiredField, "productId is required."));
            }
            if (string.IsNullOrWhiteSpace(line.ManufacturerId))
            {
                errors.Add(new RowError(row, "manufacturerId", ErrorCodes.RequiredField, "manufacturerId is required."));
            }
            else if (unknownManufacturers.Contains(line.ManufacturerId))
            {
                errors.Add(new RowError(row, "manufacturerId", ErrorCodes.UnknownManufacturer, $"Manufacturer '{line.ManufacturerId}' is not registered."));
            }
            if (line.Units < 0)
            {
                errors.Add(new RowError(row, "units", ErrorCodes.InvalidField, $"units must not be negative, not {line.Units}."));
            }
            if (line.Amount < 0 || decimal.Round(line.Amount, 2) != line.Amount)
            {
                errors.Add(new RowError(row, "amount", ErrorCodes.InvalidField, $"amount must be a non-negative sum in CNY to the fen, not {line.Amount.ToString(CultureInfo.InvariantCulture)}."));
            }
            if (errors.Count > before)
            {
                continue;
            }
            if (!seen.Add((line.ProductId, line.ManufacturerId)))
            {
                errors.Add(new RowError(row, "productId", ErrorCodes.DuplicateLine, $"{line.ProductId} from {line.ManufacturerId} appears twice; send one line per product and brand."));
                continue;
            }
            if (Classify(month, line, agreements, substitutes) is { } done)
            {
                classified.Add(done);
            }
            else
            {
                errors.Add(new RowError(row, "productId", ErrorCodes.NoAgreementForProduct,
                    $"Hospital {hospitalId} has no agreement for {line.ProductId} and has not declared it a substitute."));
            }
        }
        return (classified, errors);
    }

    /// <summary>How one valid line counts in <paramref name="month"/>; null when the hospital has neither an agreement for its product nor declared it a substitute.</summary>
    public static ClassifiedLine? Classify(int month, UsageLine line, IReadOnlyList<HospitalAgreement> agreements, IReadOnlyDictionary<string, string> substitutes)
    {
        HospitalAgreement? covering = null;
        var forProduct = false;
        foreach (var a in agreements)
        {
            if (a.ProductId != line.ProductId)
            {
                continue;
            }
            forProduct = true;
            // The supplier's own agreement first, when several run that month.
            if (a.Covers(month) && (covering is null || (covering.ManufacturerId != line.ManufacturerId && a.ManufacturerId == line.ManufacturerId)))
            {
                covering = a;
            }
        }
        if (forProduct)
        {
            return covering is null
                ? new(line, UsageClassification.OutsideAgreement, null)
                : new(line, covering.ManufacturerId == line.ManufacturerId ? UsageClassification.Agreed : UsageClassification.SubstituteBrand, covering.AgreementId);
        }
        if (substitutes.TryGetValue(line.ProductId, out var forProductId))
        {
            var standsFor = agreements.FirstOrDefault(a => a.ProductId == forProductId && a.Covers(month));
            return standsFor is null
                ? new(line, UsageClassification.OutsideAgreement, null)
                : new(line, UsageClassification.DeclaredSubstitute, standsFor.AgreementId);
        }
        return null;
    }

    /// <summary>
    /// What platform purchases change in the kept completion: per agreement and agreement year, and
    /// per batch and year for the hospital, the difference the new lines make against the lines
    /// they replace (<paramref name="monthLines"/>; none when the lines add to the month). Updates
    /// <paramref name="agreedUnits"/> (the hospital's platform purchases of agreed brands per
    /// agreement and month) to the state after the write.
    /// </summary>
    public static List<CompletionDelta> CompletionDeltas(
        string hospitalId,
        int month,
        IReadOnlyList<ClassifiedLine> lines,
        IReadOnlyList<HospitalAgreement> agreements,
        Dictionary<(string AgreementId, int Month), long> agreedUnits,
        IReadOnlyDictionary<(string ProductId, string ManufacturerId), MonthLine> monthLines)
    {
        var byAgreement = agreements.ToDictionary(a => a.AgreementId, StringComparer.Ordinal);
        var change = new Dictionary<string, (long Agreed, long Substitutes, long SpentE6)>(StringComparer.Ordinal);
        void Add(string? agreementId, UsageClassification classification, long units, long amountE6, int sign)
        {
            var counts = CountsToward(classification);
            if (agreementId is null || counts == Counts.Nothing)
            {
                return;
            }
            var c = change.GetValueOrDefault(agreementId);
            change[agreementId] = counts == Counts.Agreed
                ? (c.Agreed + sign * units, c.Substitutes, c.SpentE6 + sign * amountE6)
                : (c.Agreed, c.Substitutes + sign * units, c.SpentE6 + sign * amountE6);
        }
        foreach (var line in lines)
        {
            if (monthLines.TryGetValue((line.Line.ProductId, line.Line.ManufacturerId), out var old))
            {
                Add(old.AgreementId, (UsageClassification)old.Classification, old.Units, old.AmountE6, -1);
            }
            Add(line.AgreementId, line.Classification, line.Line.Units, Storage.Scaled.ToE6(line.Line.Amount, "amount"), +1);
        }

        var deltas = new List<CompletionDelta>();
        var hospital = new Dictionary<(string BatchId, int Year), CompletionDelta>();
        foreach (var (agreementId, (agreedChange, substitutes, spent)) in change)
        {
            var agreement = byAgreement[agreementId];
            var year = agreement.YearStart(month);
            var before = agreedUnits.Where(u => u.Key.AgreementId == agreementId && u.Key.Month >= year && u.Key.Month < year + 12).Sum(u => u.Value);
            var after = before + agreedChange;
            agreedUnits[(agreementId, month)] = agreedUnits.GetValueOrDefault((agreementId, month)) + agreedChange;
            var f0 = agreement.Figures(year, before);
            var f1 = agreement.Figures(year, after);
            var delta = new CompletionDelta(
                agreement.BatchId, year, f1.Agreed - f0.Agreed, f1.Counted - f0.Counted, f1.Surplus - f0.Surplus, substitutes, spent,
                (f1.Agreed - f0.Agreed) * agreement.MaxUnitPriceE6)
            {
                AgreementId = agreementId,
            };
            deltas.Add(delta);
            var key = (agreement.BatchId, year);
            hospital[key] = hospital.TryGetValue(key, out var sum)
                ? sum with
                {
                    Agreed = sum.Agreed + delta.Agreed,
                    Counted = sum.Counted + delta.Counted,
                    Surplus = sum.Surplus + delta.Surplus,
                    Substitutes = sum.Substitutes + delta.Substitutes,
                    SpentE6 = sum.SpentE6 + delta.SpentE6,
                    BudgetE6 = sum.BudgetE6 + delta.BudgetE6,
                }
                : delta with { AgreementId = null, HospitalId = hospitalId };
        }
        deltas.AddRange(hospital.Values);
        return deltas;
    }

    /// <summary>
    /// What a month's declaration of off-platform purchases changes in the kept rows: the declared
    /// units of each agreed brand and the spending, against the lines the declaration replaces
    /// (<paramref name="monthLines"/>). Nothing of it counts toward completion.
    /// </summary>
    public static List<CompletionDelta> DeclaredDeltas(
        string hospitalId,
        int month,
        IReadOnlyList<ClassifiedLine> lines,
        IReadOnlyList<HospitalAgreement> agreements,
        IReadOnlyDictionary<(string ProductId, string ManufacturerId), MonthLine> monthLines)
    {
        var byAgreement = agreements.ToDictionary(a => a.AgreementId, StringComparer.Ordinal);
        var change = new Dictionary<string, (long Declared, long SpentE6)>(StringComparer.Ordinal);
        void Add(string? agreementId, UsageClassification classification, long units, long amountE6, int sign)
        {
            var counts = CountsToward(classification);
            if (agreementId is null || counts == Counts.Nothing)
            {
                return;
            }
            var c = change.GetValueOrDefault(agreementId);
            change[agreementId] = (c.Declared + (counts == Counts.Agreed ? sign * units : 0), c.SpentE6 + sign * amountE6);
        }
        foreach (var line in lines)
        {
            if (monthLines.TryGetValue((line.Line.ProductId, line.Line.ManufacturerId), out var old))
            {
                Add(old.AgreementId, (UsageClassification)old.Classification, old.Units, old.AmountE6, -1);
            }
            Add(line.AgreementId, line.Classification, line.Line.Units, Storage.Scaled.ToE6(line.Line.Amount, "amount"), +1);
        }
        var deltas = new List<CompletionDelta>();
        var hospital = new Dictionary<(string BatchId, int Year), CompletionDelta>();
        foreach (var (agreementId, (declared, spent)) in change)
        {
            if (declared == 0 && spent == 0)
            {
                continue;
            }
            var agreement = byAgreement[agreementId];
            var year = agreement.YearStart(month);
            deltas.Add(new CompletionDelta(agreement.BatchId, year, 0, 0, 0, 0, spent, 0) { AgreementId = agreementId, Declared = declared });
            var key = (agreement.BatchId, year);
            hospital[key] = hospital.TryGetValue(key, out var sum)
                ? sum with { SpentE6 = sum.SpentE6 + spent, Declared = sum.Declared + declared }
                : new CompletionDelta(agreement.BatchId, year, 0, 0, 0, 0, spent, 0) { HospitalId = hospitalId, Declared = declared };
        }
        deltas.AddRange(hospital.Values);
        return deltas;
    }
}
