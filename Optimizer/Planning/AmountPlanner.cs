using System.Diagnostics;
using System.Globalization;
using Google.OrTools.Sat;
using Procurement.Optimizer.Allocation;
using Procurement.Optimizer.Award;
using Procurement.Optimizer.Model;
using Procurement.Optimizer.RuleSets;
using Procurement.Optimizer.Winners;

namespace Procurement.Optimizer.Planning;

/// <summary>
/// The amount-and-budget planner: across the products of a batch, chooses each product's agreed
/// share on the step grid within its range so as to maximise covered volume (or savings) while
/// every region's spend on agreed volume stays within its budget. Who supplies each (product,
/// region) at what unit price is fixed first, by ranked-pick at the top of the product's range.
/// Agreed volume never falls as the share rises, so that allocation keeps every winner within its
/// capacity at every lower share too, and the minimum shares are the cheapest plan in every region
/// at once: if they exceed a budget, nothing fits, and the plan says by how much.
/// <para>
/// The model (CP-SAT): per product one Boolean per grid point, exactly one chosen, and the number
/// of steps k_p they select. Agreed volume per region is the share x reported volume rounded half
/// away from zero, as everywhere in the award; that is not linear in k_p, so every grid point
/// carries its exact volumes rather than a slope per step. Money enters in units of 10^-6 CNY (the
/// precision of unit prices; coarser only where the sums would not fit), each spend rounded up and
/// each budget down, so a plan the model accepts really fits its budgets; at 10^-6 the rounding is
/// exact. Objective first; then, keeping it, the highest shares (ties go to the larger share).
/// </para>
/// </summary>
public sealed class AmountPlanner(SolveOptions options)
{
    private const int FinestMoneyDecimals = UnitPrice.Decimals;

    // Every sum the model forms stays within 2^53, where the solver's linear relaxation (in doubles) is exact.
    private const decimal LargestModelTotal = 9_007_199_254_740_992m;

    /// <summary>Validates the batch as the award does, determines the winners under its rule set (or another), and plans.</summary>
    public AmountPlanDocument Plan(AwardInput input, PlanSettings settings, string? ruleSetOverride = null, CancellationToken cancellationToken = default)
    {
        AwardInputValidator.ThrowIfInvalid(input, AwardModes.RankedPick);
        var ruleSet = ruleSetOverride ?? input.RuleSet;
        var determination = new WinnerDetermination(RuleSetCatalog.Resolve(ruleSet, input.Parameters));
        var bidsByProduct = input.Bids.ToLookup(b => b.ProductId);
        var products = input.Products
            .Select(p => new ProductToAllocate(p, determination.Determine(p, bidsByProduct[p.ProductId].ToList()), bidsByProduct[p.ProductId].ToDictionary(b => b.BidId)))
            .ToList();
        var budgets = input.Regions.ToDictionary(r => r.Code, r => r.Budget, StringComparer.Ordinal);
        return new AmountPlanDocument(input.BatchId, ruleSet, Plan(products, budgets, settings, cancellationToken));
    }

    /// <summary>Plans the shares of <paramref name="products"/> against <paramref name="budgets"/> (CNY per region; null, no budget).</summary>
    public AmountPlan Plan(
        IReadOnlyList<ProductToAllocate> products,
        IReadOnlyDictionary<string, decimal?> budgets,
        PlanSettings settings,
        CancellationToken cancellationToken = default)
    {
        var problems = settings.Problems(products.Select(p => p.Product.ProductId));
        if (problems.Count > 0)
        {
            throw new PlanSettingsException(problems);
        }

        var watch = Stopwatch.StartNew();
        var choices = products.Select(p => Choices.Of(p, settings)).ToList();
        var regions = budgets.Keys
            .Concat(choices.SelectMany(c => c.Points[0].Allocations.Select(a => a.RegionCode)))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        var parameters = Parameters(options.TimeLimit);

        var excess = regions
            .Where(r => budgets.GetValueOrDefault(r) is not null)
            .Select(r => (Region: r, Budget: budgets[r]!.Value, Spend: choices.Sum(c => c.Points[0].SpendIn(r))))
            .Where(r => r.Spend > r.Budget)
            .Select(r => new RegionExcess(r.Region, r.Budget, r.Spend, r.Spend - r.Budget))
            .ToList();
        if (excess.Count > 0)
        {
            var report = new SolveReport("minimum-share check", SolveStatus.Infeasible, null, null, null, watch.Elapsed, "no solver run: the minimum shares already exceed a budget");
            return new AmountPlan(settings.Objective, settings.Step, [], [], 0, 0, 0, excess, MoneyUnit(FinestMoneyDecimals), report);
        }

        var decimals = MoneyDecimals(choices, regions, settings.Objective);
        var scale = 1m / MoneyUnit(decimals);
        var coefficients = choices
            .Select(c => c.Points.Select(p => settings.Objective == PlanObjectives.Savings
                ? (long)decimal.Round(p.Savings * scale, 0, MidpointRounding.AwayFromZero)
                : p.AgreedVolume).ToArray())
            .ToList();

        var model = new CpModel();
        var picks = new List<BoolVar[]>();
        var steps = new List<IntVar>();
        for (var i = 0; i < choices.Count; i++)
        {
            var choice = choices[i];
            var pick = choice.Points.Select(p => model.NewBoolVar($"share_{i}_{p.Steps}")).ToArray();
            picks.Add(pick);
            model.AddExactlyOne(pick);
            var k = model.NewIntVar(choice.Points[0].Steps, choice.Points[^1].Steps, $"k_{i}");
            model.Add(k == LinearExpr.WeightedSum(pick, choice.Points.Select(p => (long)p.Steps)));
            steps.Add(k);
            foreach (var winner in choice.Points[0].Allocations.Select(a => a.PrimaryBidId).Distinct(StringComparer.Ordinal))
            {
                model.Add(LinearExpr.WeightedSum(pick, choice.Points.Select(p => p.PrimaryVolumeOf(winner))) <= choice.Item.Bids[winner].AnnualCapacity);
            }
        }
        foreach (var region in regions)
        {
            if (budgets.GetValueOrDefault(region) is not { } budget || choices.Sum(c => c.Points[^1].SpendIn(region)) <= budget)
            {
                // No budget, or even the maximum shares fit it: the constraint could never bind.
                continue;
            }
            var literals = picks.SelectMany(p => p);
            var amounts = choices.SelectMany(c => c.Points.Select(p => (long)decimal.Ceiling(p.SpendIn(region) * scale)));
            model.Add(LinearExpr.WeightedSum(literals, amounts) <= (long)decimal.Floor(budget * scale));
        }
        var objective = LinearExpr.WeightedSum(picks.SelectMany(p => p), coefficients.SelectMany(c => c));
        model.Maximize(objective);
        for (var i = 0; i < picks.Count; i++)
        {
            // The minimum shares fit (checked above): the solver starts from a plan it knows is feasible.
            for (var j = 0; j < picks[i].Length; j++)
            {
                model.AddHint(picks[i][j], j == 0);
            }
        }

        var status = Solve(model, parameters, picks, cancellationToken, out var bound, out var chosen);
        var method = "cp-sat";
        if (status == CpSolverStatus.ModelInvalid)
        {
            throw new InvalidOperationException($"The amount-plan model is invalid: {model.Validate()}");
        }
        if (status == CpSolverStatus.Infeasible)
        {
            var report = new SolveReport(method, SolveStatus.Infeasible, null, null, null, watch.Elapsed, parameters);
            return new AmountPlan(settings.Objective, settings.Step, [], [], 0, 0, 0, [], MoneyUnit(decimals), report);
        }
        if (status is CpSolverStatus.Optimal or CpSolverStatus.Feasible)
        {
            // Keep the objective found; among plans as good, the highest shares. A tenth of the time,
            // and whatever it reaches is kept: the objective is already secured.
            model.Add(objective >= Value(coefficients, chosen));
            model.Maximize(LinearExpr.Sum(steps));
            model.ClearHints();
            for (var i = 0; i < picks.Count; i++)
            {
                for (var j = 0; j < picks[i].Length; j++)
                {
                    model.AddHint(picks[i][j], j == chosen[i]);
                }
            }
            if (Solve(model, Parameters(options.TimeLimit / 10), picks, cancellationToken, out _, out var higher) is CpSolverStatus.Optimal or CpSolverStatus.Feasible)
            {
                chosen = higher;
            }
        }
        else
        {
            // Nothing found in time (or cancelled first): the minimum shares are a feasible plan, and
            // every product's best grid point on its own is a proven bound.
            method = "minimum shares: the solver found no plan in time";
            chosen = new int[choices.Count];
            bound = coefficients.Sum(c => c.Max());
        }

        var value = Value(coefficients, chosen);
        bound = Math.Max(bound, value);
        var unit = settings.Objective == PlanObjectives.Savings ? MoneyUnit(decimals) : 1m;
        var solve = new SolveReport(method, value >= bound ? SolveStatus.Optimal : SolveStatus.FeasibleWithGap,
            value * unit, bound * unit, (double)(bound - value) / Math.Max(1d, Math.Abs(value)), watch.Elapsed, parameters);

        var planned = choices.Select((c, i) => c.Points[chosen[i]]).ToList();
        var plannedRegions = regions.Select(r =>
        {
            var spend = planned.Sum(p => p.SpendIn(r));
            var budget = budgets.GetValueOrDefault(r);
            return new PlannedRegion(r, budget, spend, budget - spend);
        }).ToList();
        return new AmountPlan(
            settings.Objective,
            settings.Step,
            planned.Select(p => p.Planned()).ToList(),
            plannedRegions,
            planned.Sum(p => p.AgreedVolume),
            plannedRegions.Sum(r => r.Spend),
            planned.Sum(p => p.Savings),
            [],
            MoneyUnit(decimals),
            solve);
    }

    private string Parameters(TimeSpan limit) => string.Create(CultureInfo.InvariantCulture,
        $"max_time_in_seconds:{limit.TotalSeconds:0.###} num_workers:{options.Workers} random_seed:{options.RandomSeed}");

    private static CpSolverStatus Solve(CpModel model, string parameters, IReadOnlyList<BoolVar[]> picks, CancellationToken cancellationToken, out long bound, out int[] chosen)
    {
        (bound, chosen) = (0, []);
        if (cancellationToken.IsCancellationRequested)
        {
            // StopSearch before Solve has started stops nothing.
            return CpSolverStatus.Unknown;
        }
        using var solver = new CpSolver { StringParameters = parameters };
        using var stop = cancellationToken.Register(solver.StopSearch);
        var status = solver.Solve(model);
        if (status is CpSolverStatus.Optimal or CpSolverStatus.Feasible)
        {
            bound = (long)Math.Round(solver.BestObjectiveBound);
            chosen = picks.Select(p => Array.FindIndex(p, literal => solver.BooleanValue(literal))).ToArray();
        }
        return status;
    }

    private static long Value(IReadOnlyList<long[]> coefficients, int[] chosen) => coefficients.Select((c, i) => c[chosen[i]]).Sum();

    /// <summary>The finest money unit (10^-decimals CNY) at which the largest sum the model forms still fits.</summary>
    private static int MoneyDecimals(IReadOnlyList<Choices> choices, IReadOnlyList<string> regions, string objective)
    {
        var largest = regions.Select(r => choices.Sum(c => c.Points[^1].SpendIn(r))).DefaultIfEmpty(0m).Max();
        if (objective == PlanObjectives.Savings)
        {
            largest = Math.Max(largest, choices.Sum(c => c.Points.Max(p => Math.Abs(p.Savings))));
        }
        var decimals = FinestMoneyDecimals;
        while (decimals > 0 && largest / MoneyUnit(decimals) > LargestModelTotal)
        {
            decimals--;
        }
        if (largest / MoneyUnit(decimals) > LargestModelTotal || choices.Sum(c => c.Points[^1].AgreedVolume) > LargestModelTotal)
        {
            throw new OverflowException($"The batch's amounts ({largest:N2} CNY) or volumes are too large for the planning model.");
        }
        return decimals;
    }

    private static decimal MoneyUnit(int decimals) => new(1, 0, 0, false, (byte)decimals);

    /// <summary>A product's grid points, cheapest first, with the allocation fixed at the top of its range.</summary>
    private sealed class Choices(ProductToAllocate item, IReadOnlyList<Point> points)
    {
        public ProductToAllocate Item { get; } = item;

        public IReadOnlyList<Point> Points { get; } = points;

        public static Choices Of(ProductToAllocate item, PlanSettings settings)
        {
            var range = settings.RangeOf(item.Product.ProductId);
            var low = settings.LowestSteps(range);
            var high = settings.HighestSteps(range);
            var top = RankedPick.Allocate(item.Product, item.Result with { AgreedShare = high * settings.Step }, item.Bids);
            var points = Enumerable.Range(low, high - low + 1)
                .Select(k => new Point(item.Product, top, k, k * settings.Step, low * settings.Step, high * settings.Step))
                .ToList();
            return new Choices(item, points);
        }
    }

    /// <summary>A product at one share: its allocation's volumes, spend per region and savings, exact.</summary>
    private sealed class Point
    {
        private readonly ProductInput _product;
        private readonly decimal _minShare;
        private readonly decimal _maxShare;
        private readonly IReadOnlyList<UnallocatedRegion> _unallocated;
        private readonly Dictionary<string, decimal> _spend;

        public Point(ProductInput product, ProductAllocation top, int steps, decimal share, decimal minShare, decimal maxShare)
        {
            _product = product;
            _minShare = minShare;
            _maxShare = maxShare;
            Steps = steps;
            Share = share;
            var volumes = RankedPick.AgreedVolumes(product, share);
            Allocations = top.Regions
                .Select(a => a with { AgreedVolume = volumes[a.RegionCode], Amount = decimal.Round(volumes[a.RegionCode] * a.UnitPrice, 2) })
                .ToList();
            _unallocated = top.Unallocated.Select(u => u with { AgreedVolume = volumes[u.RegionCode] }).ToList();
            _spend = Allocations.ToDictionary(a => a.RegionCode, a => a.AgreedVolume * a.UnitPrice, StringComparer.Ordinal);
            AgreedVolume = Allocations.Sum(a => a.AgreedVolume);
            Savings = Allocations.Sum(a => a.AgreedVolume * (product.MaxValidUnitPrice - a.UnitPrice));
        }

        public int Steps { get; }

        public decimal Share { get; }

        public IReadOnlyList<RegionAllocation> Allocations { get; }

        public long AgreedVolume { get; }

        public decimal Savings { get; }

        public decimal SpendIn(string region) => _spend.GetValueOrDefault(region);

        public long PrimaryVolumeOf(string bidId) => Allocations.Where(a => a.PrimaryBidId == bidId).Sum(a => a.AgreedVolume);

        public PlannedProduct Planned() => new(
            _product.ProductId, _minShare, _maxShare, Share, _product.ReportedVolumes.Values.Sum(), AgreedVolume,
            _spend.Values.Sum(), Savings, Allocations, _unallocated);
    }
}
