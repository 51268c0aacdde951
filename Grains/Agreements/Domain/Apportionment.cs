namespace Procurement.Grains.Agreements.Domain;

/// <summary>A region's agreed volume shared among its hospitals.</summary>
public static class Apportionment
{
    /// <summary>
    /// Shares <paramref name="total"/> among the parts in proportion to their weights, in whole
    /// units, by largest remainder (ties to the earlier id), so the shares add up to the total.
    /// </summary>
    public static List<(string HospitalId, long Volume)> LargestRemainder(long total, IReadOnlyList<(string HospitalId, long Weight)> weights)
    {
        var sum = weights.Sum(w => w.Weight);
        if (sum == 0)
        {
            return [];
        }
        var shares = weights
            .Select(w => (w.HospitalId, Exact: (decimal)total * w.Weight / sum))
            .Select(w => (w.HospitalId, Floor: (long)decimal.Floor(w.Exact), Remainder: w.Exact - decimal.Floor(w.Exact)))
            .ToList();
        var left = total - shares.Sum(s => s.Floor);
        var extra = shares
            .OrderByDescending(s => s.Remainder).ThenBy(s => s.HospitalId, StringComparer.Ordinal)
            .Take((int)left).Select(s => s.HospitalId).ToHashSet(StringComparer.Ordinal);
        return shares.Select(s => (s.HospitalId, s.Floor + (extra.Contains(s.HospitalId) ? 1 : 0))).ToList();
    }
}
