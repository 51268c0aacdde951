using Procurement.Contracts.Errors;
using Procurement.Grains.Agreements;
using Xunit;

namespace Procurement.Tests.Orders;

/// <summary>
/// A period of a supplier's file: months or days, both ends inclusive, as instants of the business
/// time zone; a bad end or a period too long is refused naming its field.
/// </summary>
public sealed class MonthsPeriodTests
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    [Fact]
    public void Months_and_days_read_as_the_instants_of_the_business_zone_both_ends_inclusive()
    {
        var offset = TimeSpan.FromHours(8);
        Assert.Equal((new DateTimeOffset(2026, 11, 1, 0, 0, 0, offset), new DateTimeOffset(2026, 12, 1, 0, 0, 0, offset)), Months.Period("2026-11", "2026-11", 36, Shanghai));
        Assert.Equal((new DateTimeOffset(2026, 11, 30, 0, 0, 0, offset), new DateTimeOffset(2026, 12, 1, 0, 0, 0, offset)), Months.Period("2026-11-30", "2026-11-30", 36, Shanghai));
        // A day to a month: to the month's end.
        Assert.Equal((new DateTimeOffset(2026, 10, 15, 0, 0, 0, offset), new DateTimeOffset(2027, 1, 1, 0, 0, 0, offset)), Months.Period("2026-10-15", "2026-12", 36, Shanghai));
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 0, 0, 0, offset), Months.Period("2026-12-31", "2026-12-31", 36, Shanghai).Until);
    }

    [Theory]
    [InlineData("2026-13", "2026-12", "from")]
    [InlineData("2026-11-31", "2026-12", "from")]
    [InlineData("26-11", "2026-12", "from")]
    [InlineData("2026-11", null, "to")]
    [InlineData("2026-11-02", "2026-11-01", "to")]
    [InlineData("2024-01", "2027-01", "to")]
    public void A_bad_end_or_a_period_too_long_is_refused_naming_its_field(string? from, string? to, string field)
    {
        var error = Assert.Throws<ProcurementException>(() => Months.Period(from, to, 36, Shanghai));
        Assert.Equal((ErrorCodes.InvalidField, field), (error.Code, error.Field));
    }
}
