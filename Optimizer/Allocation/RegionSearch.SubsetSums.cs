namespace Procurement.Optimizer.Allocation;

/// <summary>The exact subset sums the capacity bound reads, over the smallest cells.</summary>
internal sealed partial class RegionSearch
{
    /// <summary>
    /// The subset sums of the cells one class (or a run of classes) may take, exact over the
    /// smallest cells: for each depth in the last <see cref="TailLength"/> cells, the sorted
    /// distinct sums of the cells from there on; for the <see cref="HeadLength"/> depths before,
    /// the sums of the cells up to that tail, each to be completed by the tail's.
    /// </summary>
    private sealed class SubsetSums
    {
        /// <summary>
        /// How many of the smallest cells get exact subset-sum tables: at most 2^16 sums a table, a
        /// few hundred kilobytes; near the room, sums of more and larger cells are dense enough that
        /// the room itself is almost as good a cap.
        /// </summary>
        private const int TailLength = 16;

        /// <summary>
        /// How many cells before that tail get exact sums too, each time by trying every subset of
        /// them (at most 2^HeadLength) with the tail's best completion.
        /// </summary>
        private const int HeadLength = 6;

        private readonly int _tailStart;
        private readonly int _headStart;
        private readonly long[][] _tail;
        private readonly long[][] _head;

        public SubsetSums(long[] volume, Func<int, bool> eligible)
        {
            var n = volume.Length;
            _tailStart = Math.Max(0, n - TailLength);
            _headStart = Math.Max(0, _tailStart - HeadLength);
            _tail = new long[n - _tailStart + 1][];
            _tail[n - _tailStart] = [0];
            for (var i = n - 1; i >= _tailStart; i--)
            {
                _tail[i - _tailStart] = eligible(i) ? Merge(_tail[i + 1 - _tailStart], volume[i]) : _tail[i + 1 - _tailStart];
            }
            _head = new long[_tailStart - _headStart + 1][];
            _head[_tailStart - _headStart] = [0];
            for (var i = _tailStart - 1; i >= _headStart; i--)
            {
                _head[i - _headStart] = eligible(i) ? Merge(_head[i + 1 - _headStart], volume[i]) : _head[i + 1 - _headStart];
            }
        }

        /// <summary>The largest sum of the cells from <paramref name="d"/> on that is at most <paramref name="limit"/>; the limit itself above the head.</summary>
        public long LargestAtMost(int d, long limit)
        {
            if (d >= _tailStart)
            {
                return Largest(_tail[d - _tailStart], limit);
            }
            if (d < _headStart)
            {
                return limit;
            }
            long best = 0;
            foreach (var head in _head[d - _headStart])
            {
                if (head > limit)
                {
                    break;
                }
                best = Math.Max(best, head + Largest(_tail[0], limit - head));
                if (best == limit)
                {
                    break;
                }
            }
            return best;
        }

        private static long Largest(long[] sorted, long limit)
        {
            var at = Array.BinarySearch(sorted, limit);
            return at >= 0 ? limit : sorted[~at - 1];
        }

        /// <summary>The sorted distinct sums of <paramref name="sums"/> with and without <paramref name="volume"/>.</summary>
        private static long[] Merge(long[] sums, long volume)
        {
            var merged = new long[sums.Length * 2];
            int a = 0, b = 0, c = 0;
            while (a < sums.Length || b < sums.Length)
            {
                var x = b >= sums.Length || (a < sums.Length && sums[a] <= sums[b] + volume) ? sums[a++] : sums[b++] + volume;
                if (c == 0 || merged[c - 1] != x)
                {
                    merged[c++] = x;
                }
            }
            return merged[..c];
        }
    }
}
