using System.Globalization;
using Microsoft.Extensions.Options;

namespace Procurement.Grains.Agreements;

/// <summary>
/// The rules of agreements and their monitoring, bound from the <c>Agreements</c> section. The
/// defaults are the common national practice (DOMAIN.md): 30 % of the annual agreed amount
/// prepaid, notices 180, 90 and 30 days before the end, a hospital flagged when its completion is
/// below 80 % of the time elapsed, retained savings by the Shenzhen 2024 draft's score bands.
/// </summary>
public sealed class AgreementOptions
{
    public const string Section = "Agreements";

    /// <summary>Share of the annual agreed amount prepaid to each hospital by medical insurance (Henan: 0.5).</summary>
    public decimal PrepaymentShare { get; set; } = 0.30m;

    /// <summary>Days before the end at which notices go out; the first (largest) makes the agreement Expiring.</summary>
    public int[] NoticeDays { get; set; } = [180, 90, 30];

    /// <summary>A unit is flagged when its completion is below this share of its time progress.</summary>
    public decimal FlagShareOfTimeProgress { get; set; } = 0.80m;

    /// <summary>How often the agreement reminder looks at the clock, at most; it is also set to the next due transition.</summary>
    public TimeSpan CheckPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The business time zone: agreement months begin at its midnight.</summary>
    public string TimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>Retained-savings bands: the lowest score of a band and the share of savings a hospital in it keeps.</summary>
    public SavingsBand[] SavingsBands { get; set; } =
    [
        new() { MinimumScore = 80, Share = 0.50m },
        new() { MinimumScore = 70, Share = 0.40m },
        new() { MinimumScore = 60, Share = 0.30m },
    ];

    public TimeZoneInfo Zone() => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    /// <summary>The share a score keeps: the band with the highest minimum at or below it; none below every band.</summary>
    public decimal ShareFor(int? score) =>
        score is { } s ? SavingsBands.Where(b => s >= b.MinimumScore).OrderByDescending(b => b.MinimumScore).Select(b => b.Share).FirstOrDefault() : 0m;

    /// <summary>The notice windows, largest first.</summary>
    public IReadOnlyList<int> Notices() => NoticeDays.OrderByDescending(d => d).ToList();
}

public sealed class SavingsBand
{
    public int MinimumScore { get; set; }

    public decimal Share { get; set; }
}

public sealed class AgreementOptionsValidator : IValidateOptions<AgreementOptions>
{
    public ValidateOptionsResult Validate(string? name, AgreementOptions options)
    {
        var failures = new List<string>();
        if (options.PrepaymentShare is < 0m or > 1m)
        {
            failures.Add($"Agreements:PrepaymentShare must be between 0 and 1, not {options.PrepaymentShare.ToString(CultureInfo.InvariantCulture)}.");
        }
        if (options.NoticeDays.Any(d => d is < 1 or > 3650) || options.NoticeDays.Distinct().Count() != options.NoticeDays.Length)
        {
            failures.Add("Agreements:NoticeDays must be distinct whole days from 1 to 3650.");
        }
        if (options.FlagShareOfTimeProgress is < 0m or > 1m)
        {
            failures.Add("Agreements:FlagShareOfTimeProgress must be between 0 and 1.");
        }
        if (options.CheckPeriod < TimeSpan.FromMilliseconds(100) || options.CheckPeriod > TimeSpan.FromDays(1))
        {
            failures.Add("Agreements:CheckPeriod must be from 00:00:00.1 to 1.00:00:00.");
        }
        try
        {
            options.Zone();
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            failures.Add($"Agreements:TimeZone '{options.TimeZone}' is not a time zone this machine knows.");
        }
        if (options.SavingsBands.Any(b => b.MinimumScore is < 0 or > 100 || b.Share is < 0m or > 1m))
        {
            failures.Add("Agreements:SavingsBands need scores from 0 to 100 and shares from 0 to 1.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
