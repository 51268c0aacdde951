using System.Collections.Concurrent;
using System.Globalization;
using Google.OrTools.Sat;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.Winners;

namespace Procurement.Optimizer.Allocation;

/// <summary>
/// The cost-optimal allocation as a CP-SAT model (primaries, spares, capacity, every winner some
/// volume, budgets; cost, rank and continuity objectives), which the pipeline's rank-and-continuity
/// step and the diagnosis solve. The benchmarks' plain CP-SAT comparison solves it too, whole: the
/// model and its solve are internal, visible to that assembly, so the comparison runs the same
/// model without being part of the award.
/// </summary>
public sealed partial class CostOptimal
{
    internal string Parameters(TimeSpan? limit = null) =>
        string.Create(CultureInfo.InvariantCulture, $"max_time_in_seconds:{(limit ?? options.TimeLimit).TotalSeconds:0.###} num_workers:{options.Workers} random_seed:{options.RandomSeed}");

    /// <summary>
    /// How long a product's rank-and-continuity search may go without finding a better allocation
    /// before it stops with the best it has: a hundredth of the time limit, at least 20 ms.
    /// </summary>
    private TimeSpan SecondaryStall => TimeSpan.FromTicks(Math.Max(options.TimeLimit.Ticks / 100, TimeSpan.FromMilliseconds(20).Ticks));

    internal CpSolverStatus Solve(
        BuiltModel built, LinearExpr objective, string phase, string parameters, CancellationToken cancellationToken,
        out long value, out long bound, out Func<ILiteral, bool> values, TimeSpan? stall = null)
    {
        built.Model.Minimize(objective);
        using var solver = new CpSolver { StringParameters = parameters };
        using var stop = cancellationToken.Register(solver.StopSearch);
        var callback = new ProgressCallback(phase, progress);
        // With a stall limit, a timer stops the search once it has gone that long without a better
        // solution (counted from the start until the first one).
        var watchdog = stall is { } most
            ? new Timer(_ =>
            {
                if (callback.SinceLastSolution() > most)
                {
                    solver.StopSearch();
                }
            }, null, most / 4, most / 4)
            : null;
        CpSolverStatus status;
        try
        {
            status = solver.Solve(built.Model, callback);
        }
        finally
        {
            if (watchdog is not null)
            {
                // Wait for a tick in flight: it must not reach the solver once it is disposed.
                using var ticksDone = new ManualResetEvent(false);
                if (watchdog.Dispose(ticksDone))
                {
                    ticksDone.WaitOne();
                }
            }
        }
        if (status is CpSolverStatus.Optimal or CpSolverStatus.Feasible)
        {
            value = (long)Math.Round(solver.ObjectiveValue);
            bound = (long)Math.Round(solver.BestObjectiveBound);
            // Capture the assignment now: the solver is disposed when this method returns.
            var assignment = built.Literals.ToDictionary(l => l, l => solver.BooleanValue(l));
            values = literal => assignment[literal];
        }
        else
        {
            (value, bound) = (0, 0);
            values = _ => false;
        }
        return status;
    }

    internal BuiltModel Build(
        IReadOnlyList<ProductToAllocate> products,
        IReadOnlyDictionary<string, decimal?> budgets,
        decimal? uniformShare,
        IReadOnlyDictionary<(string ProductId, string RegionCode), string>? previous,
        bool slackBudgets)
    {
        var model = new CpModel();
        var built = new BuiltModel(model);
        var costTerms = new List<(ILiteral Literal, long Fen)>();
        var spendByRegion = new Dictionary<string, List<(ILiteral Literal, long Fen)>>(StringComparer.Ordinal);
        var rankPenalties = new List<LinearExpr>();
        var continuityMisses = new List<ILiteral>();

        foreach (var item in products)
        {
            var share = uniformShare ?? item.Result.AgreedShare;
            var volumes = RankedPick.AgreedVolumes(item.Product, share).Where(v => v.Value > 0).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
            var winners = item.Result.Winners;
            var volumeOf = new Dictionary<string, List<(ILiteral Literal, long Volume)>>(StringComparer.Ordinal);
            foreach (var winner in winners)
            {
                volumeOf[winner.BidId] = [];
            }

            foreach (var (region, volume) in volumes)
            {
                var candidates = winners.Where(w => item.Bids[w.BidId].SupplyRegions.Contains(region)).ToList();
                if (candidates.Count == 0)
                {
                    built.Unallocated.Add((item.Product.ProductId, region, volume, "no winner offered to supply it"));
                    continue;
                }
                var primaries = new List<ILiteral>();
                var spares = new List<ILiteral>();
                foreach (var winner in candidates)
                {
                    var primary = model.NewBoolVar($"x_{item.Product.ProductId}_{winner.BidId}_{region}");
                    primaries.Add(primary);
                    built.Literals.Add(primary);
                    var fen = AwardedAmount.Fen(volume, winner);
                    costTerms.Add((primary, fen));
                    if (!spendByRegion.TryGetValue(region, out var spend))
                    {
                        spendByRegion[region] = spend = [];
                    }
                    spend.Add((primary, fen));
                    volumeOf[winner.BidId].Add((primary, volume));
                    built.Primaries.Add((item, region, volume, winner, primary));
                    if (previous is not null && previous.TryGetValue((item.Product.ProductId, region), out var previousMaker)
                        && previousMaker == winner.ManufacturerId)
                    {
                        continuityMisses.Add(primary.Not());
                    }
                    if (candidates.Count > 1)
                    {
                        var spare = model.NewBoolVar($"y_{item.Product.ProductId}_{winner.BidId}_{region}");
                        spares.Add(spare);
                        built.Literals.Add(spare);
                        model.AddBoolOr([primary.Not(), spare.Not()]);
                        built.Spares.Add((item, region, winner, spare));
                    }
                }
                model.AddExactlyOne(primaries);
                if (spares.Count > 0)
                {
                    model.AddExactlyOne(spares);
                }
                else
                {
                    built.Unallocated.Add((item.Product.ProductId, region, volume, "no spare supplier: no other winner offered to supply it"));
                }
            }

            var regionsAvailable = volumes.Keys.Count(r => winners.Any(w => item.Bids[w.BidId].SupplyRegions.Contains(r)));
            var volumeExpressions = new List<LinearExpr>();
            foreach (var winner in winners)
            {
                var terms = volumeOf[winner.BidId];
                var total = LinearExpr.WeightedSum(terms.Select(t => t.Literal), terms.Select(t => t.Volume));
                volumeExpressions.Add(total);
                model.Add(total <= item.Bids[winner.BidId].AnnualCapacity);
                if (winners.Count <= regionsAvailable && terms.Count > 0)
                {
                    model.AddAtLeastOne(terms.Select(t => t.Literal));
                }
            }
            for (var i = 0; i + 1 < volumeExpressions.Count; i++)
            {
                var shortfall = model.NewIntVar(0, volumes.Values.Sum(), $"rank_{item.Product.ProductId}_{i}");
                model.Add(shortfall >= volumeExpressions[i + 1] - volumeExpressions[i]);
                rankPenalties.Add(shortfall);
            }
        }

        foreach (var (region, spend) in spendByRegion)
        {
            if (budgets.GetValueOrDefault(region) is not { } budget)
            {
                continue;
            }
            var limit = checked((long)decimal.Floor(budget * FenPerYuan));
            var expression = LinearExpr.WeightedSum(spend.Select(s => s.Literal), spend.Select(s => s.Fen));
            if (slackBudgets)
            {
                var extra = model.NewIntVar(0, spend.Sum(s => s.Fen), $"extra_{region}");
                built.Slacks[region] = extra;
                model.Add(expression <= limit + extra);
            }
            else
            {
                model.Add(expression <= limit);
            }
        }

        built.Cost = LinearExpr.WeightedSum(costTerms.Select(t => t.Literal), costTerms.Select(t => t.Fen));
        // One unit of rank shortfall outweighs every continuity miss together.
        var continuityWeight = continuityMisses.Count + 1L;
        built.Secondary = LinearExpr.Sum(rankPenalties.Select(p => p * continuityWeight).Append(LinearExpr.Sum(continuityMisses)));
        return built;
    }

    internal sealed class BuiltModel(CpModel model)
    {
        public CpModel Model { get; } = model;

        public LinearExpr Cost { get; set; } = LinearExpr.Constant(0);

        public LinearExpr Secondary { get; set; } = LinearExpr.Constant(0);

        public Dictionary<string, IntVar> Slacks { get; } = new(StringComparer.Ordinal);

        public List<ILiteral> Literals { get; } = [];

        public List<(ProductToAllocate Item, string Region, long Volume, BidStatement Winner, ILiteral Literal)> Primaries { get; } = [];

        public List<(ProductToAllocate Item, string Region, BidStatement Winner, ILiteral Literal)> Spares { get; } = [];

        public List<(string ProductId, string Region, long Volume, string Reason)> Unallocated { get; } = [];

        public IReadOnlyList<ProductAllocation> Read(Func<ILiteral, bool> value)
        {
            var spareOf = Spares.Where(s => value(s.Literal)).ToDictionary(s => (s.Item.Product.ProductId, s.Region), s => s.Winner);
            return Primaries
                .Where(p => value(p.Literal))
                .GroupBy(p => p.Item.Product.ProductId)
                .Select(g => new ProductAllocation(
                    g.Key,
                    g.OrderBy(p => p.Region, StringComparer.Ordinal).Select(p =>
                    {
                        var spare = spareOf.GetValueOrDefault((g.Key, p.Region));
                        return new RegionAllocation(g.Key, p.Region, p.Winner.BidId, p.Winner.ManufacturerId, spare?.BidId, spare?.ManufacturerId,
                            p.Volume, p.Winner.AwardedUnitPrice!.Value, AwardedAmount.Yuan(p.Volume, p.Winner));
                    }).ToList(),
                    Unallocated.Where(u => u.ProductId == g.Key).Select(u => new UnallocatedRegion(u.Region, u.Volume, u.Reason)).ToList()))
                .ToList();
        }
    }

    private sealed class ProgressCallback(string phase, Action<SolveProgress>? progress) : CpSolverSolutionCallback
    {
        private readonly System.Diagnostics.Stopwatch _started = System.Diagnostics.Stopwatch.StartNew();
        private long _lastSolutionTicks;

        /// <summary>Time since the last solution was reported, or since the solve started.</summary>
        public TimeSpan SinceLastSolution() => _started.Elapsed - TimeSpan.FromTicks(Interlocked.Read(ref _lastSolutionTicks));

        public override void OnSolutionCallback()
        {
            Interlocked.Exchange(ref _lastSolutionTicks, _started.Elapsed.Ticks);
            progress?.Invoke(new SolveProgress(phase, TimeSpan.FromSeconds(WallTime()), (decimal)ObjectiveValue() / FenPerYuan, (decimal)BestObjectiveBound() / FenPerYuan));
        }
    }
}
