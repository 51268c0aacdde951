using Procurement.Contracts.Errors;
using Procurement.Grains.Agreements;
using Procurement.Grains.Batches.Domain;
using Xunit;

namespace Procurement.Tests.Domain;

/// <summary>When a finalised batch's agreements start, in months of the business time zone.</summary>
public sealed class AgreementsStartTests
{
    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    [Fact]
    public void Agreements_start_next_month_or_on_a_first_day_from_this_month_to_a_year_ahead_in_the_business_zone()
    {
        // 2027-01-31 20:00 UTC is already February in Shanghai.
        var now = new DateTimeOffset(2027, 1, 31, 20, 0, 0, TimeSpan.Zero);
        Assert.Equal(Months.Of(new DateOnly(2027, 3, 1)), AgreementsStart.Month(null, now, Zone));
        Assert.Equal(Months.Of(new DateOnly(2027, 2, 1)), AgreementsStart.Month(new DateOnly(2027, 2, 1), now, Zone));
        Assert.Equal(Months.Of(new DateOnly(2028, 2, 1)), AgreementsStart.Month(new DateOnly(2028, 2, 1), now, Zone));

        foreach (var refused in new[] { new DateOnly(2027, 1, 1), new DateOnly(2028, 3, 1), new DateOnly(2027, 3, 2) })
        {
            var error = Assert.Throws<ProcurementException>(() => AgreementsStart.Month(refused, now, Zone));
            Assert.Equal((ErrorCodes.InvalidField, "agreementsStart"), (error.Code, error.Field));
        }
    }
}
