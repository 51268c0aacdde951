using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Procurement.BidPortal.Pages;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// The purchasing pages show instants in the business time zone (<c>Agreements:TimeZone</c>), not
/// the server's: a container runs in UTC, eight hours behind Beijing, where a month or a day begins
/// eight hours earlier.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed partial class BusinessTimeTests(JourneyFixture portal)
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    [Fact]
    public void An_instant_reads_as_the_business_zone_has_it()
    {
        var time = new BusinessTime(Zone);
        // 20:30 UTC on the last day of March is already 04:30 on the first of April in Beijing.
        var instant = new DateTimeOffset(2026, 3, 31, 20, 30, 0, TimeSpan.Zero);
        Assert.Equal("2026-04-01 04:30", time.Minute(instant));
        Assert.Equal("2026-04-01", time.Day(instant));
        Assert.Equal("2026-04", time.Month(instant));
        Assert.Equal(new DateOnly(2026, 4, 1), time.Date(instant));
        Assert.Equal("", time.Day((DateTimeOffset?)null));
        Assert.Equal("2026-04-01 04:30", time.Minute((DateTimeOffset?)instant));
    }

    [Fact]
    public void The_zone_is_the_agreements_setting_and_Shanghai_unless_set()
    {
        Assert.Equal(Zone.Id, BusinessTime.From(new ConfigurationBuilder().Build()).Zone.Id);
        var london = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Agreements:TimeZone"] = "Europe/London" }).Build();
        Assert.Equal("Europe/London", BusinessTime.From(london).Zone.Id);
    }

    [Fact]
    public async Task The_usage_page_opens_on_the_business_month_and_asks_for_purchases_outside_the_platform()
    {
        using var hospital = await portal.SignedInAsync("hospital.bj1");
        var html = await hospital.GetStringAsync("/Hospital/Usage");
        var month = MonthInput().Match(html);
        Assert.True(month.Success, "The month field is missing.");
        Assert.Equal(TimeZoneInfo.ConvertTime(portal.Clock.GetUtcNow(), Zone).ToString("yyyy-MM"), month.Groups[1].Value);
        Assert.Contains("what the hospital bought outside the platform", html, StringComparison.Ordinal);
        Assert.Contains("counted from their accepted deliveries automatically", html, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"<input name=""month"" value=""([^""]*)""")]
    private static partial Regex MonthInput();
}
