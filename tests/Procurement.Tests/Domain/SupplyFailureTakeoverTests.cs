using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Agreements;
using Procurement.Grains.Agreements.Domain;
using Xunit;

namespace Procurement.Tests.Domain;

/// <summary>The successor's terms after a supply failure, without a database.</summary>
public sealed class SupplyFailureTakeoverTests
{
    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private static readonly AgreementLifecycle Lifecycle = new([180, 90, 30], Zone);

    private static readonly int Start = Months.Of(new DateOnly(2027, 1, 1));

    private static readonly FailedAgreement Failed = new(
        Guid.Parse("00000000-0000-0000-0000-0000000000aa"), AgreementState.Active, "SPARE-BID", 70_000, Start, Start + 24, Start, 0, 1);

    private static DateTimeOffset InMonth(int month) => Months.Begins(month, Zone).AddDays(14);

    [Fact]
    public void The_spare_takes_the_rest_of_the_period_from_the_current_month_at_its_own_price()
    {
        var start = SupplyFailureTakeover.Begin(Failed, Lifecycle, InMonth(Start + 2));
        Assert.Equal(new TakeoverStart(Start + 2, Start), start);

        var successor = SupplyFailureTakeover.Successor(
            Failed, start, "MAKER-2", 440_000, [("H1", 49_000), ("H2", 21_000)], new Dictionary<string, long> { ["H1"] = 5_000, ["H2"] = 30_000 },
            0.30m, "plant stopped");

        Assert.Equal(
            ("MAKER-2", "SPARE-BID", 440_000L, 70_000L, 30_800_000_000L, Start + 2, Start + 24, Start, AgreementState.Active, 0, 2, "took over after a supply failure: plant stopped"),
            (successor.ManufacturerId, successor.BidId, successor.UnitPriceE6, successor.AnnualVolume, successor.AnnualAmountE6, successor.StartMonth, successor.EndMonth,
                successor.AnchorMonth, successor.State, successor.NoticesSent, successor.Version, successor.Reason));
        // Each part carries what the failed supplier delivered in the year, never more than the part.
        Assert.Equal(
            [new SuccessorPart("H1", 49_000, 21_560_000_000, 6_468_000_000, 5_000), new SuccessorPart("H2", 21_000, 9_240_000_000, 2_772_000_000, 21_000)],
            successor.Parts);

        // The successor's first-year agreed volume is the rest; its later years are whole.
        var h1 = new HospitalAgreement { StartMonth = Start + 2, EndMonth = Start + 24, AnchorMonth = Start, PeriodEndMonth = Start + 24, AnnualVolume = 49_000, CarriedUnits = 5_000 };
        Assert.Equal((44_000L, 49_000L), (h1.AgreedIn(Start + 2, 0), h1.AgreedIn(Start + 12, 0)));
    }

    [Fact]
    public void A_takeover_in_a_later_year_counts_from_that_year_and_keeps_the_notices_state()
    {
        var expiring = Failed with { State = AgreementState.Expiring, NoticesSent = 1, Version = 3 };
        var start = SupplyFailureTakeover.Begin(expiring, Lifecycle, InMonth(Start + 14));
        Assert.Equal(new TakeoverStart(Start + 14, Start + 12), start);
        var successor = SupplyFailureTakeover.Successor(expiring, start, "MAKER-2", 1_000_000, [("H1", 10)], new Dictionary<string, long>(), 0.30m, "x");
        Assert.Equal((AgreementState.Expiring, 1, 4, 0L), (successor.State, successor.NoticesSent, successor.Version, successor.Parts[0].CarriedUnits));
    }

    [Fact]
    public void In_the_first_month_the_spare_starts_with_the_second()
    {
        Assert.Equal(Start + 1, SupplyFailureTakeover.Begin(Failed, Lifecycle, InMonth(Start)).SwitchMonth);
    }

    [Fact]
    public void A_takeover_is_refused_with_a_stable_code()
    {
        Assert.Equal(ErrorCodes.InvalidTransition,
            Assert.Throws<ProcurementException>(() => SupplyFailureTakeover.Begin(Failed with { State = AgreementState.TakenOver }, Lifecycle, InMonth(Start + 2))).Code);
        Assert.Equal(ErrorCodes.NoSpareSupplier,
            Assert.Throws<ProcurementException>(() => SupplyFailureTakeover.Begin(Failed with { SpareBidId = null }, Lifecycle, InMonth(Start + 2))).Code);
        var start = SupplyFailureTakeover.Begin(Failed, Lifecycle, InMonth(Start + 2));
        Assert.Equal(ErrorCodes.NoSpareSupplier,
            Assert.Throws<ProcurementException>(() => SupplyFailureTakeover.Successor(Failed, start, "MAKER-2", null, [], new Dictionary<string, long>(), 0.3m, "x")).Code);
        var last = SupplyFailureTakeover.Begin(Failed, Lifecycle, InMonth(Start + 24));
        Assert.Equal(ErrorCodes.InvalidTransition,
            Assert.Throws<ProcurementException>(() => SupplyFailureTakeover.Successor(Failed, last, "MAKER-2", 1, [], new Dictionary<string, long>(), 0.3m, "x")).Code);
    }

    [Theory]
    [InlineData(19_600_000_000L, "0.30", 5_880_000_000L)]
    [InlineData(1_234_567L, "0.30", 370_000L)]
    [InlineData(1_216_667L, "0.30", 370_000L)]
    [InlineData(1_216_666L, "0.30", 360_000L)]
    public void The_prepayment_is_a_share_to_the_fen(long amountE6, string share, long prepaymentE6) =>
        Assert.Equal(prepaymentE6, Prepayment.Of(amountE6, decimal.Parse(share, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void A_region_is_shared_by_largest_remainder_ties_to_the_earlier_id()
    {
        Assert.Equal([("H1", 34L), ("H2", 33L), ("H3", 33L)], Apportionment.LargestRemainder(100, [("H1", 1), ("H2", 1), ("H3", 1)]));
        Assert.Equal([("A", 7L), ("B", 3L)], Apportionment.LargestRemainder(10, [("A", 650), ("B", 350)]));
        Assert.Empty(Apportionment.LargestRemainder(10, [("A", 0)]));
    }
}
