using Procurement.Optimizer.Model;
using Procurement.Optimizer.RuleSets;
using Procurement.Optimizer.Winners;

namespace Procurement.Optimizer.Award;

/// <summary>A problem with the award input, at a JSON path such as <c>$.bids[3].productId</c>.</summary>
public sealed class AwardInputException(IReadOnlyList<(string Path, string Problem)> problems)
    : Exception(string.Join(Environment.NewLine, problems.Select(p => $"{p.Path}: {p.Problem}")))
{
    public IReadOnlyList<(string Path, string Problem)> Problems { get; } = problems;
}

/// <summary>Checks an award input completely and reports every problem with the place it is at.</summary>
public static class AwardInputValidator
{
    public static void ThrowIfInvalid(AwardInput input, string mode)
    {
        var problems = new List<(string, string)>();
        void Fail(string path, string problem) => problems.Add((path, problem));

        if (string.IsNullOrWhiteSpace(input.BatchId))
        {
            Fail("$.batchId", "is required");
        }
        if (!RuleSetCatalog.Names.Contains(input.RuleSet))
        {
            Fail("$.ruleSet", $"must be one of {string.Join(", ", RuleSetCatalog.Names)}, not '{input.RuleSet}'");
        }
        else
        {
            try
            {
                RuleSetCatalog.Resolve(input.RuleSet, input.Parameters ?? new Dictionary<string, string>());
            }
            catch (RuleParameterException ex)
            {
                Fail($"$.parameters.{ex.Parameter}", ex.Message);
            }
        }
        if (!AwardModes.All.Contains(mode))
        {
            Fail("mode", $"must be one of {string.Join(", ", AwardModes.All)}, not '{mode}'");
        }

        var regions = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (input.Regions?.Count ?? 0); i++)
        {
            var region = input.Regions![i];
            if (string.IsNullOrWhiteSpace(region.Code) || !regions.Add(region.Code))
            {
                Fail($"$.regions[{i}].code", "is missing or repeated");
            }
            if (region.Budget is < 0)
            {
                Fail($"$.regions[{i}].budget", "must not be negative");
            }
            if (mode == AwardModes.CostOptimal && region.Budget is null)
            {
                Fail($"$.regions[{i}].budget", "is required for cost-optimal allocation (the region's medical-insurance budget)");
            }
        }

        var products = new Dictionary<string, ProductInput>(StringComparer.Ordinal);
        for (var i = 0; i < (input.Products?.Count ?? 0); i++)
        {
            var product = input.Products![i];
            var at = $"$.products[{i}]";
            if (string.IsNullOrWhiteSpace(product.ProductId) || !products.TryAdd(product.ProductId, product))
            {
                Fail($"{at}.productId", "is missing or repeated");
            }
            if (product.MaxValidUnitPrice <= 0)
            {
                Fail($"{at}.maxValidUnitPrice", "must be positive");
            }
            if (product.Representative is null || product.Representative.PackCount <= 0 || product.Representative.StrengthMg <= 0)
            {
                Fail($"{at}.representative", "needs a positive pack count and strength");
            }
            for (var s = 0; s < (product.OtherSpecifications?.Count ?? 0); s++)
            {
                if (product.OtherSpecifications![s].PackCount <= 0 || product.OtherSpecifications[s].StrengthMg <= 0)
                {
                    Fail($"{at}.otherSpecifications[{s}]", "needs a positive pack count and strength");
                }
            }
            foreach (var (region, volume) in product.ReportedVolumes ?? new Dictionary<string, long>())
            {
                if (!regions.Contains(region))
                {
                    Fail($"{at}.reportedVolumes.{region}", "is not a region of $.regions");
                }
                if (volume < 0)
                {
                    Fail($"{at}.reportedVolumes.{region}", "must not be negative");
                }
            }
        }
        if (products.Count == 0)
        {
            Fail("$.products", "must list at least one product");
        }

        var bidIds = new HashSet<string>(StringComparer.Ordinal);
        var firstBidOf = new Dictionary<(string, string), int>();
        for (var i = 0; i < (input.Bids?.Count ?? 0); i++)
        {
            var bid = input.Bids![i];
            var at = $"$.bids[{i}]";
            if (string.IsNullOrWhiteSpace(bid.BidId) || !bidIds.Add(bid.BidId))
            {
                Fail($"{at}.bidId", "is missing or repeated");
            }
            if (string.IsNullOrWhiteSpace(bid.ManufacturerId))
            {
                Fail($"{at}.manufacturerId", "is required");
            }
            else if (firstBidOf.TryGetValue((bid.ManufacturerId, bid.ProductId ?? ""), out var earlier))
            {
                // Two bids of one firm would count as two eligible firms and could both win.
                Fail($"{at}.manufacturerId", $"manufacturer '{bid.ManufacturerId}' already bids on '{bid.ProductId}' in $.bids[{earlier}] (bid '{input.Bids[earlier].BidId}'); one bid per manufacturer and product, so '{bid.BidId}' is refused");
            }
            else
            {
                firstBidOf[(bid.ManufacturerId, bid.ProductId ?? "")] = i;
            }
            if (string.IsNullOrWhiteSpace(bid.BidderGroup))
            {
                // Never a silent merge of unrelated firms into one group.
                Fail($"{at}.bidderGroup", "is required: the affiliation group, or the manufacturer id when the firm stands alone");
            }
            if (!products.TryGetValue(bid.ProductId ?? "", out var product))
            {
                Fail($"{at}.productId", $"'{bid.ProductId}' is not a product of $.products");
            }
            else if (product.Representative is not null && UnitPrice.Find(product, bid.SpecificationCode ?? "") is null)
            {
                Fail($"{at}.specificationCode", $"'{bid.SpecificationCode}' is not a specification of {product.ProductId}");
            }
            if (bid.PricePerPack <= 0 || decimal.Round(bid.PricePerPack, 4) != bid.PricePerPack)
            {
                Fail($"{at}.pricePerPack", "must be positive with at most 4 decimals");
            }
            if (bid.AnnualCapacity < 0)
            {
                Fail($"{at}.annualCapacity", "must not be negative");
            }
            if (bid.Qualification is null)
            {
                Fail($"{at}.qualification", "is required");
            }
            for (var r = 0; r < (bid.SupplyRegions?.Count ?? 0); r++)
            {
                if (!regions.Contains(bid.SupplyRegions![r]))
                {
                    Fail($"{at}.supplyRegions[{r}]", $"'{bid.SupplyRegions[r]}' is not a region of $.regions");
                }
            }
        }
        if (mode == AwardModes.Hospital && (input.Hospitals is null || input.Hospitals.Count == 0))
        {
            Fail("$.hospitals", "is required for hospital-level allocation (each hospital's reported volume per product)");
        }
        var hospitalLines = new HashSet<(string, string)>();
        for (var i = 0; i < (input.Hospitals?.Count ?? 0); i++)
        {
            var line = input.Hospitals![i];
            var at = $"$.hospitals[{i}]";
            if (line is null)
            {
                Fail(at, "is empty");
                continue;
            }
            if (string.IsNullOrWhiteSpace(line.HospitalId))
            {
                Fail($"{at}.hospitalId", "is required");
            }
            if (!regions.Contains(line.RegionCode ?? ""))
            {
                Fail($"{at}.regionCode", $"'{line.RegionCode}' is not a region of $.regions");
            }
            if (!products.ContainsKey(line.ProductId ?? ""))
            {
                Fail($"{at}.productId", $"'{line.ProductId}' is not a product of $.products");
            }
            else if (!hospitalLines.Add((line.HospitalId ?? "", line.ProductId!)))
            {
                Fail($"{at}.productId", $"hospital '{line.HospitalId}' reports '{line.ProductId}' twice");
            }
            if (line.ReportedVolume < 0)
            {
                Fail($"{at}.reportedVolume", "must not be negative");
            }
            if (problems.Count >= 100)
            {
                break;
            }
        }
        if (problems.Count > 0)
        {
            throw new AwardInputException(problems);
        }
    }
}
