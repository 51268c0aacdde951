using Procurement.Optimizer.RuleSets;
using Procurement.Optimizer.RuleSets.Consumables;

namespace Procurement.Optimizer.Consumables;

/// <summary>Stable codes of the problems <see cref="ConsumableInputValidator"/> finds. Never rename one: callers act on them.</summary>
public static class ConsumableInputCodes
{
    public const string Required = "FIELD_REQUIRED";
    public const string Invalid = "FIELD_INVALID";
    public const string Repeated = "FIELD_REPEATED";

    /// <summary>A property the input's schema does not have (a misspelt name would otherwise be read as absent).</summary>
    public const string Unknown = "FIELD_UNKNOWN";
    public const string UnknownReference = "UNKNOWN_REFERENCE";
    public const string TooMany = "TOO_MANY_ROWS";
    public const string CodeLength = "CONSUMABLE_CODE_LENGTH";
    public const string CodeMalformed = "CONSUMABLE_CODE_MALFORMED";

    /// <summary>A product's consumables code does not start with its category's class prefix.</summary>
    public const string ClassMismatch = "CONSUMABLE_CLASS_MISMATCH";

    /// <summary>A system bid does not price every component of its category exactly once, or a unit bid prices components.</summary>
    public const string ComponentsNotPriced = "COMPONENTS_NOT_PRICED";
    public const string RuleSetUnknown = "RULE_SET_UNKNOWN";
    public const string RuleParameterInvalid = "RULE_PARAMETER_INVALID";
}

/// <summary>One problem with a consumables award input: its stable code, the field as a JSON path (<c>$.bids[3].price</c>) and a message naming it.</summary>
public sealed record ConsumableInputProblem(string Code, string Field, string Message);

/// <summary>A consumables award input that cannot be decided; lists every problem found (up to <see cref="ConsumableInputLimits.ProblemsListed"/>).</summary>
public sealed class ConsumableInputException(IReadOnlyList<ConsumableInputProblem> problems)
    : Exception(string.Join(Environment.NewLine, problems.Select(p => $"{p.Field}: {p.Code}: {p.Message}")))
{
    public IReadOnlyList<ConsumableInputProblem> Problems { get; } = problems;
}

/// <summary>
/// The limits an input is held to, so that a wrong file fails fast and plainly rather than
/// running for hours. The spine round (171 firms, ~1 M sets) fits well within them.
/// </summary>
public static class ConsumableInputLimits
{
    public const int Categories = 1_000;
    public const int ComponentsPerSystem = 16;
    public const int Bids = 200_000;
    public const int Intentions = 2_000_000;
    public const int FurtherChoices = 10;
    public const int IdLength = 200;

    /// <summary>A product id is its certificate and model (each at most <see cref="IdLength"/>) joined by '/'.</summary>
    public const int ProductIdLength = 2 * IdLength + 1;
    public const decimal Price = 10_000_000m;
    public const long Quantity = 1_000_000_000;
    public const long Capacity = 1_000_000_000_000;
    public const int ProblemsListed = 100;
}

/// <summary>Checks a consumables award input completely and reports every problem with its code and place.</summary>
public static class ConsumableInputValidator
{
    public static IReadOnlyList<ConsumableInputProblem> Problems(ConsumableAwardInput input)
    {
        var problems = new List<ConsumableInputProblem>();
        void Fail(string code, string field, string message)
        {
            if (problems.Count < ConsumableInputLimits.ProblemsListed)
            {
                problems.Add(new ConsumableInputProblem(code, field, $"{field} {message}"));
            }
        }
        void Id(string? value, string field)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                Fail(ConsumableInputCodes.Required, field, "is required");
            }
            else if (value.Length > ConsumableInputLimits.IdLength)
            {
                Fail(ConsumableInputCodes.Invalid, field, $"has {value.Length} characters; at most {ConsumableInputLimits.IdLength}");
            }
        }
        void Price(decimal value, string field)
        {
            if (value <= 0 || value > ConsumableInputLimits.Price || decimal.Round(value, 4) != value)
            {
                Fail(ConsumableInputCodes.Invalid, field, $"must be a price above 0 and at most {ConsumableInputLimits.Price} CNY with at most 4 decimals, not {value}");
            }
        }

        Id(input.BatchId, "$.batchId");
        if (!ConsumableRuleSetCatalog.Names.Contains(input.RuleSet ?? ""))
        {
            Fail(ConsumableInputCodes.RuleSetUnknown, "$.ruleSet", $"must be one of {string.Join(", ", ConsumableRuleSetCatalog.Names)}, not '{input.RuleSet}'");
        }
        else
        {
            try
            {
                ConsumableRuleSetCatalog.Resolve(input.RuleSet!, input.Parameters ?? new Dictionary<string, string>());
            }
            catch (RuleParameterException ex)
            {
                Fail(ConsumableInputCodes.RuleParameterInvalid, $"$.parameters.{ex.Parameter}", ex.Message);
            }
        }
        var categoryCount = input.Categories?.Count ?? 0;
        var bidCount = input.Bids?.Count ?? 0;
        var intentionCount = input.Intentions?.Count ?? 0;
        if (categoryCount == 0)
        {
            Fail(ConsumableInputCodes.Required, "$.categories", "must list at least one category");
        }
        foreach (var (field, count, limit) in new[] { ("$.categories", categoryCount, ConsumableInputLimits.Categories), ("$.bids", bidCount, ConsumableInputLimits.Bids), ("$.intentions", intentionCount, ConsumableInputLimits.Intentions) })
        {
            if (count > limit)
            {
                Fail(ConsumableInputCodes.TooMany, field, $"has {count:N0} entries; at most {limit:N0}");
            }
        }
        if (problems.Count > 0 && problems.Any(p => p.Code == ConsumableInputCodes.TooMany))
        {
            return problems;
        }

        var categories = new Dictionary<string, ConsumableCategoryInput>(StringComparer.Ordinal);
        for (var i = 0; i < categoryCount; i++)
        {
            CheckCategory(input.Categories![i], $"$.categories[{i}]", categories, Fail, Id, Price);
        }
        var bidIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < bidCount && problems.Count < ConsumableInputLimits.ProblemsListed; i++)
        {
            CheckBid(input.Bids![i], $"$.bids[{i}]", categories, bidIds, Fail, Id, Price);
        }
        var lines = new HashSet<(string, string, string, string)>();
        for (var i = 0; i < intentionCount && problems.Count < ConsumableInputLimits.ProblemsListed; i++)
        {
            CheckIntention(input.Intentions![i], $"$.intentions[{i}]", categories, lines, Fail, Id);
        }
        return problems;
    }

    public static void ThrowIfInvalid(ConsumableAwardInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var problems = Problems(input);
        if (problems.Count > 0)
        {
            throw new ConsumableInputException(problems);
        }
    }

    private static void CheckCategory(
        ConsumableCategoryInput? category, string at, Dictionary<string, ConsumableCategoryInput> categories,
        Action<string, string, string> fail, Action<string?, string> id, Action<decimal, string> price)
    {
        if (category is null)
        {
            fail(ConsumableInputCodes.Required, at, "is empty");
            return;
        }
        id(category.CategoryId, $"{at}.categoryId");
        if (!string.IsNullOrWhiteSpace(category.CategoryId) && !categories.TryAdd(category.CategoryId, category))
        {
            fail(ConsumableInputCodes.Repeated, $"{at}.categoryId", $"'{category.CategoryId}' names an earlier category too");
        }
        id(category.Name, $"{at}.name");
        if (category.ClassPrefix is { } prefix && !IsClassPrefix(prefix))
        {
            fail(ConsumableInputCodes.Invalid, $"{at}.classPrefix", $"'{prefix}' must be the start of a consumables code: C and 2 to 26 digits (e.g. C0201)");
        }
        price(category.MaxValidPrice, $"{at}.maxValidPrice");
        var components = category.Components ?? [];
        if (category.PurchaseUnit == PurchaseUnit.Unit && components.Count > 0)
        {
            fail(ConsumableInputCodes.Invalid, $"{at}.components", "must be empty for a category bought by the unit");
        }
        if (category.PurchaseUnit == PurchaseUnit.System && components.Count is 0 or > ConsumableInputLimits.ComponentsPerSystem)
        {
            fail(ConsumableInputCodes.Invalid, $"{at}.components", $"must list 1 to {ConsumableInputLimits.ComponentsPerSystem} components for a product system, not {components.Count}");
        }
        if (!Enum.IsDefined(category.PurchaseUnit))
        {
            fail(ConsumableInputCodes.Invalid, $"{at}.purchaseUnit", "must be unit or system");
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var c = 0; c < components.Count; c++)
        {
            var component = components[c];
            id(component?.ComponentId, $"{at}.components[{c}].componentId");
            if (component is null)
            {
                continue;
            }
            if (!string.IsNullOrWhiteSpace(component.ComponentId) && !ids.Add(component.ComponentId))
            {
                fail(ConsumableInputCodes.Repeated, $"{at}.components[{c}].componentId", $"'{component.ComponentId}' is listed twice");
            }
            if (component.MaxValidPrice is { } maximum)
            {
                price(maximum, $"{at}.components[{c}].maxValidPrice");
            }
        }
    }

    private static void CheckBid(
        ConsumableBidInput? bid, string at, Dictionary<string, ConsumableCategoryInput> categories, HashSet<string> bidIds,
        Action<string, string, string> fail, Action<string?, string> id, Action<decimal, string> price)
    {
        if (bid is null)
        {
            fail(ConsumableInputCodes.Required, at, "is empty");
            return;
        }
        id(bid.BidId, $"{at}.bidId");
        if (!string.IsNullOrWhiteSpace(bid.BidId) && !bidIds.Add(bid.BidId))
        {
            fail(ConsumableInputCodes.Repeated, $"{at}.bidId", $"'{bid.BidId}' names an earlier bid too");
        }
        id(bid.FirmId, $"{at}.firmId");
        // Never a silent merge of unrelated firms into one bidder.
        id(bid.AffiliateGroup, $"{at}.affiliateGroup");
        price(bid.Price, $"{at}.price");
        if (bid.AnnualCapacity is < 0 or > ConsumableInputLimits.Capacity)
        {
            fail(ConsumableInputCodes.Invalid, $"{at}.annualCapacity", $"must be from 0 to {ConsumableInputLimits.Capacity:N0}, not {bid.AnnualCapacity}");
        }
        if (bid.Qualification is null)
        {
            fail(ConsumableInputCodes.Required, $"{at}.qualification", "is required");
        }
        if (bid.Product is null)
        {
            fail(ConsumableInputCodes.Required, $"{at}.product", "is required");
        }
        else
        {
            id(bid.Product.CertificateNumber, $"{at}.product.certificateNumber");
            id(bid.Product.Model, $"{at}.product.model");
        }
        if (!categories.TryGetValue(bid.CategoryId ?? "", out var category))
        {
            fail(ConsumableInputCodes.UnknownReference, $"{at}.categoryId", $"'{bid.CategoryId}' is not a category of $.categories");
            return;
        }
        if (bid.Product?.ConsumableCode is { } code)
        {
            CheckCode(code, category, $"{at}.product.consumableCode", fail);
        }
        var priced = bid.ComponentPrices ?? [];
        if (category.PurchaseUnit == PurchaseUnit.Unit)
        {
            if (priced.Count > 0)
            {
                fail(ConsumableInputCodes.ComponentsNotPriced, $"{at}.componentPrices", $"must be empty: category '{category.CategoryId}' is bought by the unit");
            }
            return;
        }
        var expected = (category.Components ?? []).Select(c => c.ComponentId).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var c = 0; c < priced.Count; c++)
        {
            var line = priced[c];
            if (line is null || !expected.Contains(line.ComponentId ?? ""))
            {
                fail(ConsumableInputCodes.ComponentsNotPriced, $"{at}.componentPrices[{c}].componentId", $"'{line?.ComponentId}' is not a component of category '{category.CategoryId}'");
                continue;
            }
            if (!seen.Add(line.ComponentId!))
            {
                fail(ConsumableInputCodes.ComponentsNotPriced, $"{at}.componentPrices[{c}].componentId", $"'{line.ComponentId}' is priced twice");
            }
            price(line.Price, $"{at}.componentPrices[{c}].price");
        }
        var missing = expected.Where(e => !seen.Contains(e)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            fail(ConsumableInputCodes.ComponentsNotPriced, $"{at}.componentPrices", $"does not price {string.Join(", ", missing)}: a system bid prices every component of its category");
        }
    }

    private static void CheckCode(string code, ConsumableCategoryInput category, string field, Action<string, string, string> fail)
    {
        if (code.Length != ConsumableCodeText.Length)
        {
            fail(ConsumableInputCodes.CodeLength, field, $"'{code}' has {code.Length} characters; a consumables code has {ConsumableCodeText.Length}");
        }
        else if (code[0] != 'C' || !code.Skip(1).All(char.IsAsciiDigit) || code.AsSpan(1, 2) is "00")
        {
            fail(ConsumableInputCodes.CodeMalformed, field, $"'{code}' must be C and 26 digits, its first-level category from C01");
        }
        // A malformed prefix is reported on the category once, not again on each of its bids.
        else if (category.ClassPrefix is { } prefix && IsClassPrefix(prefix) && !code.StartsWith(prefix, StringComparison.Ordinal))
        {
            fail(ConsumableInputCodes.ClassMismatch, field, $"'{code}' is not in class {prefix} of category '{category.CategoryId}'");
        }
    }

    private static bool IsClassPrefix(string prefix) =>
        prefix.Length is >= 3 and <= ConsumableCodeText.Length && prefix[0] == 'C' && prefix.Skip(1).All(char.IsAsciiDigit);

    private static void CheckIntention(
        HospitalIntentionInput? intention, string at, Dictionary<string, ConsumableCategoryInput> categories,
        HashSet<(string, string, string, string)> lines, Action<string, string, string> fail, Action<string?, string> id)
    {
        if (intention is null)
        {
            fail(ConsumableInputCodes.Required, at, "is empty");
            return;
        }
        id(intention.HospitalId, $"{at}.hospitalId");
        id(intention.Region, $"{at}.region");
        id(intention.IntendedFirmId, $"{at}.intendedFirmId");
        if (intention.IntendedProductId is { } product)
        {
            // A certificate and a model, each at most an id's length, joined by '/'.
            if (string.IsNullOrWhiteSpace(product))
            {
                fail(ConsumableInputCodes.Required, $"{at}.intendedProductId", "is required");
            }
            else if (product.Length > ConsumableInputLimits.ProductIdLength)
            {
                fail(ConsumableInputCodes.Invalid, $"{at}.intendedProductId", $"has {product.Length} characters; at most {ConsumableInputLimits.ProductIdLength}");
            }
        }
        if (!categories.ContainsKey(intention.CategoryId ?? ""))
        {
            fail(ConsumableInputCodes.UnknownReference, $"{at}.categoryId", $"'{intention.CategoryId}' is not a category of $.categories");
        }
        else if (!lines.Add((intention.HospitalId ?? "", intention.CategoryId!, intention.IntendedFirmId ?? "", intention.IntendedProductId ?? "")))
        {
            fail(ConsumableInputCodes.Repeated, at, $"hospital '{intention.HospitalId}' names firm '{intention.IntendedFirmId}'{(intention.IntendedProductId is null ? "" : $" and product '{intention.IntendedProductId}'")} in category '{intention.CategoryId}' twice");
        }
        if (intention.Quantity is < 0 or > ConsumableInputLimits.Quantity)
        {
            fail(ConsumableInputCodes.Invalid, $"{at}.quantity", $"must be from 0 to {ConsumableInputLimits.Quantity:N0}, not {intention.Quantity}");
        }
        var choices = intention.FurtherChoices ?? [];
        if (choices.Count > ConsumableInputLimits.FurtherChoices)
        {
            fail(ConsumableInputCodes.TooMany, $"{at}.furtherChoices", $"has {choices.Count} firms; at most {ConsumableInputLimits.FurtherChoices}");
        }
        var named = new HashSet<string>(StringComparer.Ordinal) { intention.IntendedFirmId ?? "" };
        for (var c = 0; c < choices.Count; c++)
        {
            id(choices[c], $"{at}.furtherChoices[{c}]");
            if (!string.IsNullOrWhiteSpace(choices[c]) && !named.Add(choices[c]))
            {
                fail(ConsumableInputCodes.Repeated, $"{at}.furtherChoices[{c}]", $"'{choices[c]}' is the intended firm or an earlier choice");
            }
        }
    }
}

/// <summary>The consumables code's fixed length (Contracts' <c>ConsumableCode</c> parses it in full; the optimizer does not reference Contracts).</summary>
internal static class ConsumableCodeText
{
    public const int Length = 27;
}
