namespace Procurement.Grains.Orders.Domain;

/// <summary>The plain arithmetic of the purchasing figures, apart from the SQL that counts.</summary>
public static class Figures
{
    /// <summary>Answer times are counted in quarter hours (response_seconds / 900) by the SQL.</summary>
    public const int BucketSeconds = 900;

    /// <summary>
    /// The <paramref name="share"/> percentile of answer times counted per quarter hour, in hours, as
    /// the upper edge of the quarter hour it falls in (so never below the true figure, at most 15
    /// minutes above it); null with no answers.
    /// </summary>
    public static decimal? PercentileHours(IEnumerable<(long Bucket, long Count)> buckets, decimal share)
    {
        var ordered = buckets.Where(b => b.Count > 0).OrderBy(b => b.Bucket).ToList();
        var total = ordered.Sum(b => b.Count);
        if (total == 0)
        {
            return null;
        }
        // The rank of the percentile among the answers, 1-based: the smallest with share of them at or below it.
        var rank = (long)Math.Ceiling(total * share);
        var seen = 0L;
        foreach (var (bucket, count) in ordered)
        {
            seen += count;
            if (seen >= Math.Max(1, rank))
            {
                return (bucket + 1) * BucketSeconds / 3600m;
            }
        }
        return (ordered[^1].Bucket + 1) * BucketSeconds / 3600m;
    }

    /// <summary>A share to four decimals, or null when there is nothing to divide by.</summary>
    public static decimal? Rate(long part, long whole) => whole == 0 ? null : Math.Round((decimal)part / whole, 4, MidpointRounding.AwayFromZero);

    public static decimal? Rate(decimal part, decimal whole) => whole == 0 ? null : Math.Round(part / whole, 4, MidpointRounding.AwayFromZero);
}
