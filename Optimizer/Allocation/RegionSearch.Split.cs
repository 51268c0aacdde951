using Procurement.Optimizer.Winners;

namespace Procurement.Optimizer.Allocation;

/// <summary>
/// Whether a complete assignment of cells to price classes can be kept: each class's cells split
/// among its members within their capacities and the regions they supply, every member a region
/// where the product has regions enough (a small search of its own).
/// </summary>
internal sealed partial class RegionSearch
{
    /// <summary>
    /// The winners of a complete class assignment: each class's cells split among its members, or
    /// null when some class's cannot be.
    /// </summary>
    private BidStatement[]? Split(int[] assigned)
    {
        var winners = new BidStatement[_n];
        for (var k = 0; k < _k; k++)
        {
            var members = _members[k];
            var mine = Enumerable.Range(0, _n).Where(i => assigned[i] == k).ToArray();
            if (mine.Length < _mustHave[k])
            {
                return null;
            }
            if (members.Length == 1)
            {
                foreach (var i in mine)
                {
                    winners[i] = members[0].Winner;
                }
                continue;
            }
            var used = new long[members.Length];
            var regions = new int[members.Length];
            var without = _mustHave[k] > 0 ? members.Length : 0;

            bool Place(int j)
            {
                if (Stopped())
                {
                    return false;
                }
                if (j == mine.Length)
                {
                    return without == 0;
                }
                if (without > mine.Length - j)
                {
                    return false;
                }
                var i = mine[j];
                // A member still without a region first: it must get one anyway.
                for (var pass = 0; pass < 2; pass++)
                {
                    for (var w = 0; w < members.Length; w++)
                    {
                        if ((regions[w] == 0) != (pass == 0) || !members[w].Eligible[i] || used[w] + _volume[i] > members[w].Capacity)
                        {
                            continue;
                        }
                        used[w] += _volume[i];
                        regions[w]++;
                        var counted = _mustHave[k] > 0 && regions[w] == 1;
                        without -= counted ? 1 : 0;
                        winners[i] = members[w].Winner;
                        var placed = Place(j + 1);
                        used[w] -= _volume[i];
                        regions[w]--;
                        without += counted ? 1 : 0;
                        if (placed)
                        {
                            return true;
                        }
                    }
                }
                return false;
            }

            if (!Place(0))
            {
                return null;
            }
        }
        return winners;
    }
}
