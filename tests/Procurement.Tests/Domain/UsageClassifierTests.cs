using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Agreements.Domain;
using Xunit;

namespace Procurement.Tests.Domain;

/// <summary>How a hospital's usage line counts, and what a month's lines change in the kept completion.</summary>
public sealed class UsageClassifierTests
{
    private const int P = 24_300;

    private static readonly HospitalAgreement Atv = new()
    {
        AgreementId = "A-ATV", BatchId = "B1", ProductId = "ATV", ManufacturerId = "M1", StartMonth = P, EndMonth = P + 24, AnchorMonth = P,
        PeriodEndMonth = P + 24, State = (int)AgreementState.Active, AnnualVolume = 12_000, MaxUnitPriceE6 = 500_000,
    };

    private static readonly HospitalAgreement AtvSpare = Atv with { AgreementId = "A-ATV-2", ManufacturerId = "M2" };

    private static readonly HospitalAgreement Aml = Atv with { AgreementId = "A-AML", ProductId = "AML", EndMonth = P + 2, State = (int)AgreementState.Terminated };

    private static readonly Dictionary<string, string> Substitutes = new() { ["ROS"] = "ATV", ["PRA"] = "AML" };

    private static (List<ClassifiedLine> Lines, List<RowError> Errors) Classify(int month, params UsageLine[] lines) =>
        UsageClassifier.Classify("H1", month, lines, [Atv, Aml], Substitutes, new HashSet<string> { "NOBODY" });

    [Fact]
    public void Each_line_gets_its_classification_and_agreement()
    {
        var (lines, errors) = Classify(P + 3,
            new UsageLine("ATV", "M1", 10, 4m), new UsageLine("ATV", "M3", 1, 1m), new UsageLine("ROS", "M9", 2, 1m),
            new UsageLine("AML", "M1", 3, 1m), new UsageLine("PRA", "M1", 4, 1m));
        Assert.Empty(errors);
        Assert.Equal(
        [
            (UsageClassification.Agreed, "A-ATV"), (UsageClassification.SubstituteBrand, "A-ATV"), (UsageClassification.DeclaredSubstitute, "A-ATV"),
            (UsageClassification.OutsideAgreement, null), (UsageClassification.OutsideAgreement, null),
        ], lines.Select(l => (l.Classification, l.AgreementId)));
        Assert.Equal(UsageClassification.OutsideAgreement, Classify(P - 1, new UsageLine("ATV", "M1", 1, 1m)).Lines.Single().Classification);
    }

    [Fact]
    public void The_brand_s_own_agreement_wins_when_two_cover_the_month()
    {
        var line = new UsageLine("ATV", "M2", 1, 1m);
        Assert.Equal("A-ATV-2", UsageClassifier.Classify(P, line, [Atv, AtvSpare], Substitutes)!.AgreementId);
        Assert.Equal((UsageClassification.SubstituteBrand, "A-ATV"), UsageClassifier.Classify(P, line with { ManufacturerId = "M3" }, [Atv, AtvSpare], Substitutes) is { } c ? (c.Classification, c.AgreementId) : default);
    }

    [Fact]
    public void Bad_lines_are_refused_with_the_row_field_and_code()
    {
        var (_, errors) = Classify(P,
            new UsageLine("ATV", "M1", -1, 1m), new UsageLine("ATV", "M1", 1, 0.001m), new UsageLine("ATV", "NOBODY", 1, 1m),
            new UsageLine("", "M1", 1, 1m), new UsageLine("XYZ", "M1", 1, 1m), new UsageLine("ATV", "M2", 1, 1m), new UsageLine("ATV", "M2", 1, 1m));
        Assert.Equal(
        [
            (1, "units", ErrorCodes.InvalidField), (2, "amount", ErrorCodes.InvalidField), (3, "manufacturerId", ErrorCodes.UnknownManufacturer),
            (4, "productId", ErrorCodes.RequiredField), (5, "productId", ErrorCodes.NoAgreementForProduct), (7, "productId", ErrorCodes.DuplicateLine),
        ], errors.Select(e => (e.Row, e.Field, e.Code)));
    }

    [Theory]
    [InlineData(UsageClassification.Agreed, UsageClassifier.Counts.Agreed)]
    [InlineData(UsageClassification.SubstituteBrand, UsageClassifier.Counts.Substitute)]
    [InlineData(UsageClassification.DeclaredSubstitute, UsageClassifier.Counts.Substitute)]
    [InlineData(UsageClassification.OutsideAgreement, UsageClassifier.Counts.Nothing)]
    public void What_each_classification_counts_toward(UsageClassification classification, UsageClassifier.Counts counts) =>
        Assert.Equal(counts, UsageClassifier.CountsToward(classification));

    [Fact]
    public void An_amendment_changes_the_completion_by_its_difference_per_agreement_and_for_the_hospital()
    {
        var agreed = new Dictionary<(string AgreementId, int Month), long> { [("A-ATV", P)] = 10_500, [("A-ATV", P + 1)] = 500 };
        var monthLines = new Dictionary<(string, string), MonthLine>
        {
            [("ATV", "M1")] = new((int)UsageClassification.Agreed, "A-ATV", 500, 250_000_000, 1),
        };
        var lines = new List<ClassifiedLine>
        {
            new(new UsageLine("ATV", "M1", 2_000, 1_000m), UsageClassification.Agreed, "A-ATV"),
            new(new UsageLine("ATV", "M3", 100, 60m), UsageClassification.SubstituteBrand, "A-ATV"),
            new(new UsageLine("AML", "M1", 100, 60m), UsageClassification.OutsideAgreement, null),
        };
        var deltas = UsageClassifier.CompletionDeltas("H1", P + 1, lines, [Atv, Aml], agreed, monthLines);

        // Before: 11,000 of 12,000 bought; the month goes from 500 to 2,000, so 12,500 in the year: 1,000 more counted, 500 surplus.
        var byAgreement = new CompletionDelta("B1", P, 0, 1_000, 500, 100, 810_000_000, 0) { AgreementId = "A-ATV" };
        Assert.Equal([byAgreement, byAgreement with { AgreementId = null, HospitalId = "H1" }], deltas);
        Assert.Equal(12_500, agreed[("A-ATV", P + 1)] + agreed[("A-ATV", P)]);
    }

    [Fact]
    public void A_declaration_of_off_platform_purchases_changes_only_the_declared_units_and_the_spending()
    {
        var monthLines = new Dictionary<(string, string), MonthLine>
        {
            [("ATV", "M1")] = new((int)UsageClassification.Agreed, "A-ATV", 500, 250_000_000, 1),
        };
        var lines = new List<ClassifiedLine>
        {
            new(new UsageLine("ATV", "M1", 2_000, 1_000m), UsageClassification.Agreed, "A-ATV"),
            new(new UsageLine("ATV", "M3", 100, 60m), UsageClassification.SubstituteBrand, "A-ATV"),
            new(new UsageLine("AML", "M1", 100, 60m), UsageClassification.OutsideAgreement, null),
        };
        var deltas = UsageClassifier.DeclaredDeltas("H1", P + 1, lines, [Atv, Aml], monthLines);

        // The amendment declares 1,500 more of the agreed brand and 810 CNY more spent; nothing counted, no surplus, no substitutes.
        var byAgreement = new CompletionDelta("B1", P, 0, 0, 0, 0, 810_000_000, 0) { AgreementId = "A-ATV", Declared = 1_500 };
        Assert.Equal([byAgreement, byAgreement with { AgreementId = null, HospitalId = "H1" }], deltas);
    }
}
