using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Orders;
using Procurement.Grains.Orders.Domain;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Orders;

/// <summary>
/// The acceptance window counts working days by the configured calendar: public holidays are days
/// off though Monday to Friday, and the weekend days worked in their place (调休) count, as China's
/// holiday notices move them. A bad calendar stops the start, naming the entry.
/// </summary>
public sealed class WorkingCalendarTests
{
    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    /// <summary>A week-long October holiday, Thursday 1 to Wednesday 7, made up on Saturday 10 (the shape of the National Day notices).</summary>
    private static readonly WorkingCalendar October = WorkingCalendar.Parse(
        ["2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"], ["2026-10-10"], failures: null);

    [Theory]
    // Wednesday 30 September 10:00 in Beijing: the holiday and its weekend pass; Thursday 8, Friday 9
    // and the worked Saturday 10 are the three days, so Saturday 10:00.
    [InlineData("2026-09-30T02:00:00Z", "2026-10-10T02:00:00Z")]
    // Shipped on a holiday (Saturday 3): counted from Thursday 8's midnight; 8, 9, 10 are the days, Sunday 11 is off: Monday 12 00:00.
    [InlineData("2026-10-03T01:00:00Z", "2026-10-11T16:00:00Z")]
    // Friday 9 October 15:00: the worked Saturday 10, then Monday 12 and Tuesday 13.
    [InlineData("2026-10-09T07:00:00Z", "2026-10-13T07:00:00Z")]
    // A week the notice leaves alone counts Monday to Friday.
    [InlineData("2026-10-14T02:00:00Z", "2026-10-19T02:00:00Z")]
    public void Holidays_are_days_off_and_the_weekend_days_worked_in_their_place_count(string shipped, string due)
    {
        Assert.Equal(At(due), WorkingDays.Add(At(shipped), 3, Zone, October));
    }

    [Fact]
    public void Without_a_calendar_the_same_week_counts_Monday_to_Friday()
    {
        // The difference the calendar makes, so the rows above cannot pass on weekdays alone.
        Assert.Equal(At("2026-10-05T02:00:00Z"), WorkingDays.Add(At("2026-09-30T02:00:00Z"), 3, Zone));
        Assert.Equal(At("2026-10-05T02:00:00Z"), WorkingDays.Add(At("2026-09-30T02:00:00Z"), 3, Zone, WorkingCalendar.MondayToFriday));
    }

    [Fact]
    public void The_calendar_is_bound_from_configuration_and_a_bad_entry_stops_the_start_naming_it()
    {
        var good = Bind(new()
        {
            ["Orders:Holidays:0"] = "2026-10-01",
            ["Orders:Holidays:1"] = "2026-10-02",
            ["Orders:WorkingWeekendDays:0"] = "2026-10-10",
        });
        Assert.True(new OrderOptionsValidator().Validate(null, good).Succeeded);
        Assert.False(good.Calendar.IsWorkingDay(new DateOnly(2026, 10, 1)));
        Assert.True(good.Calendar.IsWorkingDay(new DateOnly(2026, 10, 10)));
        Assert.False(good.Calendar.IsWorkingDay(new DateOnly(2026, 10, 11)));
        Assert.True(good.Calendar.IsWorkingDay(new DateOnly(2026, 10, 12)));

        var bad = new OrderOptionsValidator().Validate(null, Bind(new()
        {
            ["Orders:Holidays:0"] = "2026-10-01",
            ["Orders:Holidays:1"] = "1 October",
            ["Orders:WorkingWeekendDays:0"] = "2026-10-12",
            ["Orders:WorkingWeekendDays:1"] = "2026-10-01",
        }));
        Assert.False(bad.Succeeded);
        var failures = bad.Failures!.ToList();
        Assert.Contains(failures, f => f.Contains("Orders:Holidays:1", StringComparison.Ordinal) && f.Contains("1 October", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("2026-10-12, a Monday", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("2026-10-01 is in both", StringComparison.Ordinal));

        var tooMany = new OrderOptions();
        tooMany.Holidays.AddRange(Enumerable.Range(0, OrderOptions.MaxCalendarDays + 1).Select(i => new DateOnly(2026, 1, 1).AddDays(i).ToString("yyyy-MM-dd")));
        Assert.Contains(new OrderOptionsValidator().Validate(null, tooMany).Failures!, f => f.Contains("at most 1000 dates", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_delivery_shipped_before_a_configured_holiday_is_deemed_accepted_only_after_it()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 3, 10, 2, 0, 0, TimeSpan.Zero));
        await using var cluster = await SiloCluster.StartAsync(TestStores.Sqlite(), clock, "working-calendar", services => services.Configure<OrderOptions>(o =>
        {
            // Thursday 8 and Friday 9 April 2027 off, Saturday 10 worked in their place.
            o.Holidays.AddRange(["2027-04-08", "2027-04-09"]);
            o.WorkingWeekendDays.Add("2027-04-10");
        }));
        var s = new Scenario(cluster.Client, clock);
        await s.AwardAndFinaliseAsync(clock, new DateOnly(2027, 4, 1));
        // Wednesday 7 April 2027, 10:00 in Beijing.
        clock.SetUtcNow(new DateTimeOffset(2027, 4, 7, 2, 0, 0, TimeSpan.Zero));
        var orders = cluster.Client.GetGrain<IHospitalOrdersGrain>(s.Hospital1);
        var order = await orders.PlaceOrderAsync(new OrderRequest("cal-1", [new OrderLineRequest(s.Atorvastatin, 100, "Pharmacy", OrderUrgency.Normal)]));
        await orders.RespondToLineAsync(s.Maker1, "cal-c", order.OrderId, 1, true, null);
        var delivery = await orders.ShipAsync(s.Maker1, new ShipmentRequest("cal-s", order.OrderId, 1, 100, "LOT-CAL", new DateOnly(2029, 1, 1)));
        // The worked Saturday 10, Monday 12, Tuesday 13: Tuesday 10:00 (Monday 12 10:00 by weekdays alone).
        Assert.Equal(new DateTimeOffset(2027, 4, 13, 2, 0, 0, TimeSpan.Zero), delivery.AcceptBy);

        var sweep = cluster.SiloGrainFactory.GetGrain<IOrderClockGrain>(0);
        clock.SetUtcNow(new DateTimeOffset(2027, 4, 12, 2, 0, 1, TimeSpan.Zero));
        await sweep.SweepAsync();
        Assert.Equal(DeliveryState.Shipped, (await orders.ListDeliveriesAsync(10)).Single(d => d.DeliveryId == delivery.DeliveryId).State);
        clock.SetUtcNow(delivery.AcceptBy.AddMilliseconds(1));
        await sweep.SweepAsync();
        var deemed = (await orders.ListDeliveriesAsync(10)).Single(d => d.DeliveryId == delivery.DeliveryId);
        Assert.Equal((DeliveryState.Accepted, true, delivery.AcceptBy), (deemed.State, deemed.Deemed, deemed.DecidedAt!.Value));
    }

    private static OrderOptions Bind(Dictionary<string, string?> settings)
    {
        var options = new OrderOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(OrderOptions.Section).Bind(options);
        return options;
    }

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
}
