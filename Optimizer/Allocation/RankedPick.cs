using Procurement.Optimizer.Model;
using Procurement.Optimizer.Winners;

namespace Procurement.Optimizer.Allocation;

/// <summary>
/// The national procedure (round 7): the winners pick regions in rank order, one region per winner
/// per round, until every region is taken; then, the same way, spare regions that differ from their
/// primary ones. A winner picks by its preference list when it gave one, otherwise the region with
/// the largest remaining agreed volume (ties by region code); it can only pick a region it offered
/// to supply, and only while its declared capacity covers the agreed volume of what it has picked.
/// </summary>
public static class RankedPick
{
    public static ProductAllocation Allocate(
        ProductInput product,
        ProductResult result,
        IReadOnlyDictionary<string, BidInput> bids,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? preferences = null)
    {
        var volumes = AgreedVolumes(product, result.AgreedShare);
        var winners = result.Winners.Select(w => new Picker(w, bids[w.BidId], preferences?.GetValueOrDefault(w.BidId))).ToList();
        var open = volumes.Where(v => v.Value > 0).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        var primary = new Dictionary<string, Picker>(StringComparer.Ordinal);

        var progress = true;
        while (open.Count > 0 && progress)
        {
            progress = false;
            foreach (var winner in winners)
            {
                if (open.Count == 0)
                {
                    break;
                }
                var region = winner.Choose(open, volume => volume <= winner.CapacityLeft);
                if (region is not null)
                {
                    winner.CapacityLeft -= open[region];
                    winner.Primaries.Add(region);
                    primary[region] = winner;
                    open.Remove(region);
                    progress = true;
                }
            }
        }

        var needSpare = primary.Keys.ToDictionary(r => r, r => volumes[r], StringComparer.Ordinal);
        var spare = new Dictionary<string, Picker>(StringComparer.Ordinal);
        progress = true;
        while (needSpare.Count > 0 && progress)
        {
            progress = false;
            foreach (var winner in winners)
            {
                var choices = needSpare.Where(r => !winner.Primaries.Contains(r.Key)).ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
                if (winner.Choose(choices, _ => true) is { } region)
                {
                    spare[region] = winner;
                    needSpare.Remove(region);
                    progress = true;
                }
            }
        }

        var allocations = primary
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p =>
            {
                var backup = spare.GetValueOrDefault(p.Key);
                return new RegionAllocation(
                    product.ProductId, p.Key, p.Value.Statement.BidId, p.Value.Statement.ManufacturerId,
                    backup?.Statement.BidId, backup?.Statement.ManufacturerId, volumes[p.Key], p.Value.Statement.AwardedUnitPrice!.Value,
                    AwardedAmount.Yuan(volumes[p.Key], p.Value.Statement));
            })
            .ToList();
        var unallocated = open
            .OrderBy(o => o.Key, StringComparer.Ordinal)
            .Select(o => new UnallocatedRegion(o.Key, o.Value, winners.Count == 0
                ? "no winner"
                : "no winner offered to supply it with enough capacity left"))
            .Concat(needSpare.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => new UnallocatedRegion(n.Key, n.Value, "no spare supplier: no other winner offered to supply it")))
            .ToList();
        return new ProductAllocation(product.ProductId, allocations, unallocated);
    }

    /// <summary>Agreed volume per region: the agreed share of the reported volume, rounded half away from zero.</summary>
    public static IReadOnlyDictionary<string, long> AgreedVolumes(ProductInput product, decimal share) =>
        product.ReportedVolumes.ToDictionary(
            v => v.Key,
            v => Math.Max(
                (long)decimal.Round(v.Value * share, 0, MidpointRounding.AwayFromZero),
                product.MinimumAgreedVolumes?.GetValueOrDefault(v.Key) ?? 0),
            StringComparer.Ordinal);

    private sealed class Picker(BidStatement statement, BidInput bid, IReadOnlyList<string>? preference)
    {
        public BidStatement Statement { get; } = statement;

        public long CapacityLeft { get; set; } = bid.AnnualCapacity;

        public HashSet<string> Primaries { get; } = new(StringComparer.Ordinal);

        private readonly HashSet<string> _supplies = bid.SupplyRegions.ToHashSet(StringComparer.Ordinal);

        public string? Choose(IReadOnlyDictionary<string, long> available, Func<long, bool> fits)
        {
            var allowed = available.Where(a => _supplies.Contains(a.Key) && fits(a.Value)).ToList();
            if (allowed.Count == 0)
            {
                return null;
            }
            if (preference is not null)
            {
                foreach (var region in preference)
                {
                    if (allowed.Any(a => a.Key == region))
                    {
                        return region;
                    }
                }
            }
            return allowed.OrderByDescending(a => a.Value).ThenBy(a => a.Key, StringComparer.Ordinal).First().Key;
        }
    }
}
