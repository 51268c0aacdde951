namespace Procurement.Grains.Orders.Domain;

/// <summary>The plain arithmetic of the purchasing figures, apart from the SQL that counts.</summary>
public static class Figures
{
    /// <summary>Answer times are counted in quarter hours (response_seconds / 900) by the SQL.</summary>
    public const int BucketSeconds = 900;

    /// <summary>The percentiles of answer times the supply figures report.</summary>
    public const decimal Median = 0.5m;

    public const decimal Percentile90 = 0.9m;

    /// <summary>
    /// The <paramref name="share"/> percentile of answer times counted per quarter hour, in hours, as
    /// the upper edge of the quarter hour it falls in (so never below the true figure, at most 15
    /// minutes above it); null with no answers. The supply figures take it in SQL (OrderFiguresGrain);
    /// this is the definition their test holds the SQL to.
    /// </summary>
    public static decimal? PercentileHours(IEnumerable<(long Bucket, long Count)> buckets, decimal share)
    {
        var ordered = buckets.Where(b => b.Count > 0).OrderBy(b => b.Bucket).ToList();
        var total = ordered.Sum(b => b.Count);
        if (total == 0)
        {
            return null;
        }
        var rank = PercentileRank(total, share);
        var seen = 0L;
        foreach (var (bucket, count) in ordered)
        {
            seen += count;
            if (seen >= rank)
            {
                return BucketHours(bucket);
            }
        }
        return BucketHours(ordered[^1].Bucket);
    }

    /// <summary>
    /// The rank of the <paramref name="share"/> percentile among <paramref name="total"/> answers,
    /// 1-based: the smallest with share of them at or below it, and at least the first.
    /// </summary>
    public static long PercentileRank(long total, decimal share) => Math.Max(1, (long)Math.Ceiling(total * share));

    /// <summary>A share in whole thousandths, as the SQL counts the percentile's rank: (total x per mille + 999) / 1000.</summary>
    public static int PerMille(decimal share) => share is >= 0m and <= 1m && share * 1000m == decimal.Truncate(share * 1000m)
        ? (int)(share * 1000m)
        : throw new ArgumentOutOfRangeException(nameof(share), share, "A percentile's share is counted in whole thousandths between 0 and 1.");

    /// <summary>The upper edge, in hours, of a quarter hour of answer time; null for none.</summary>
    public static decimal? BucketHours(long? bucket) => bucket is { } b ? (b + 1) * BucketSeconds / 3600m : null;

    /// <summary>
    /// How far a hospital's reported volume is from what it bought, as a share of what it bought
    /// (at least one unit), to four decimals: a reporting mismatch when its size passes the
    /// configured share.
    /// </summary>
    public static decimal ReportDifference(long reported, long bought) =>
        Math.Round((decimal)(reported - bought) / Math.Max(1, bought), 4, MidpointRounding.AwayFromZero);

    /// <summary>A share to four decimals, or null when there is nothing to divide by.</summary>
    public static decimal? Rate(long part, long whole) => whole == 0 ? null : Math.Round((decimal)part / whole, 4, MidpointRounding.AwayFromZero);

    public static decimal? Rate(decimal part, decimal whole) => whole == 0 ? null : Math.Round(part / whole, 4, MidpointRounding.AwayFromZero);
}
