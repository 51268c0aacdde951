using Procurement.Contracts.Domain;
using Procurement.Grains.Agreements.Domain;
using Xunit;

namespace Procurement.Tests.Domain;

/// <summary>The completion figures of one hospital's part in an agreement year.</summary>
public sealed class CompletionRuleTests
{
    private const int P = 24_300;

    [Theory]
    // A whole year: counted up to the annual volume, the rest surplus.
    [InlineData(12_000, 0, P, P + 24, P + 24, AgreementState.Active, P, 5_000, 12_000, 5_000, 0)]
    [InlineData(12_000, 0, P, P + 24, P + 24, AgreementState.Expiring, P, 15_000, 12_000, 12_000, 3_000)]
    [InlineData(12_000, 0, P, P + 24, P + 24, AgreementState.Suspended, P + 12, 0, 12_000, 0, 0)]
    // A last year of six months is pro rata, rounded down.
    [InlineData(12_001, 0, P, P + 18, P + 18, AgreementState.Active, P + 12, 7_000, 6_000, 6_000, 1_000)]
    // A takeover's first year: the annual volume less what the failed supplier delivered; later years whole.
    [InlineData(49_000, 5_000, P + 2, P + 24, P + 24, AgreementState.Active, P, 4_000, 44_000, 4_000, 0)]
    [InlineData(49_000, 5_000, P + 2, P + 24, P + 24, AgreementState.Active, P + 12, 0, 49_000, 0, 0)]
    // Ended early in the year: what it delivered, up to the year's volume; nothing is short.
    [InlineData(49_000, 0, P, P + 2, P + 24, AgreementState.TakenOver, P, 5_000, 5_000, 5_000, 0)]
    [InlineData(1_000, 0, P, P + 2, P + 24, AgreementState.Terminated, P, 5_000, 1_000, 1_000, 4_000)]
    // Ended at the year's end is no early end.
    [InlineData(12_000, 0, P, P + 12, P + 24, AgreementState.Terminated, P, 5_000, 12_000, 5_000, 0)]
    // Outside the year: nothing agreed, all surplus.
    [InlineData(49_000, 0, P, P + 2, P + 24, AgreementState.TakenOver, P + 12, 300, 0, 0, 300)]
    [InlineData(49_000, 0, P + 14, P + 24, P + 24, AgreementState.Active, P, 0, 0, 0, 0)]
    public void Figures(
        long annual, long carried, int start, int end, int periodEnd, AgreementState state, int yearStart, long purchased, long agreed, long counted, long surplus) =>
        Assert.Equal((agreed, counted, surplus), CompletionRule.Figures(annual, carried, start, end, periodEnd, state, yearStart, purchased));
}
