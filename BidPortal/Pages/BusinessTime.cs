using System.Globalization;

namespace Procurement.BidPortal.Pages;

/// <summary>
/// Instants as the business reads them: in the business time zone (<c>Agreements:TimeZone</c>,
/// Asia/Shanghai unless set), the zone the grains file order and usage months under and count
/// working days in. Never the server's own zone: a container runs in UTC, eight hours behind
/// Beijing, and a deadline at 09:00 there would read 01:00.
/// </summary>
public sealed class BusinessTime(TimeZoneInfo zone)
{
    public const string ZoneSetting = "Agreements:TimeZone";

    /// <summary>The grains' default for the same setting.</summary>
    public const string DefaultZone = "Asia/Shanghai";

    public TimeZoneInfo Zone { get; } = zone;

    public static BusinessTime From(IConfiguration configuration) =>
        new(TimeZoneInfo.FindSystemTimeZoneById(configuration[ZoneSetting] ?? DefaultZone));

    public DateTimeOffset Local(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    /// <summary>To the minute: <c>2026-04-01 09:00</c>.</summary>
    public string Minute(DateTimeOffset instant) => Local(instant).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public string Minute(DateTimeOffset? instant) => instant is { } at ? Minute(at) : "";

    /// <summary>The business day: <c>2026-04-01</c>.</summary>
    public string Day(DateTimeOffset instant) => Local(instant).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public string Day(DateTimeOffset? instant) => instant is { } at ? Day(at) : "";

    public DateOnly Date(DateTimeOffset instant) => DateOnly.FromDateTime(Local(instant).DateTime);

    /// <summary>The business month an instant falls in (<c>2026-04</c>), as the grains file it.</summary>
    public string Month(DateTimeOffset instant) => Local(instant).ToString("yyyy-MM", CultureInfo.InvariantCulture);
}
