using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Hosting;
using Procurement.Optimizer.RuleSets;
using Procurement.Optimizer.RuleSets.Consumables;

namespace Procurement.Grains.Batches.Domain;

/// <summary>
/// What a consumables batch's lots must be before they are stored: 1 to <see cref="MaxCategories"/>
/// categories with distinct ids and names of at most <see cref="MaxNameLength"/> characters, a class
/// prefix that is the start of a valid consumables code ending where one of its parts ends, a
/// maximum valid price above 0 and at most <see cref="MaxPrice"/> CNY with at most 4 decimals (as the
/// award input takes it); a system with 1 to <see cref="MaxComponents"/> distinct components, a unit
/// category with none; and a consumables rule set the catalogue knows, with keys and values it accepts.
/// </summary>
public static class ConsumableLotRules
{
    public const int MaxCategories = 1_000;

    public const int MaxComponents = 16;

    public const int MaxNameLength = 200;

    public const decimal MaxPrice = 10_000_000m;

    // Where a part of the code ends (ConsumableCode: category, subcategory, general class, general name, feature, manufacturer, specification).
    private static readonly int[] PartEnds = [3, 5, 7, 10, 15, 20, ConsumableCode.Length];

    public static void Validate(ConsumableTerms terms)
    {
        var categories = terms.Categories;
        if (categories is null || categories.Count == 0)
        {
            throw ProcurementException.Invalid("consumables.categories", "consumables.categories must have at least one category.");
        }
        if (categories.Count > MaxCategories)
        {
            throw ProcurementException.Invalid("consumables.categories", $"A batch has at most {MaxCategories} categories, not {categories.Count}.");
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < categories.Count; i++)
        {
            var field = $"consumables.categories[{i}]";
            var category = Check.NotNull(categories[i], field);
            if (!ids.Add(Check.Id(category.CategoryId, $"{field}.categoryId")))
            {
                throw ProcurementException.Invalid($"{field}.categoryId", $"consumables.categories lists '{category.CategoryId}' twice.");
            }
            Check.Text(category.Name, $"{field}.name", MaxNameLength);
            if (category.ClassPrefix is not null)
            {
                ValidateClassPrefix(category.ClassPrefix, $"{field}.classPrefix");
            }
            Price(category.MaxValidPrice, $"{field}.maxValidPrice");
            ValidateComponents(category, field);
        }
        ValidateRuleSet(terms);
    }

    /// <summary>The prefix is padded with zeros to a whole code and parsed, so a bad letter, digit or first-level category is refused as in a code.</summary>
    private static void ValidateClassPrefix(string prefix, string field)
    {
        if (Array.IndexOf(PartEnds, prefix.Length) < 0)
        {
            throw ProcurementException.Invalid(field, $"{field} '{prefix}' must be the start of a consumables code ending where a part ends ({string.Join(", ", PartEnds)} characters, e.g. C02 or C0201).");
        }
        ConsumableCode.Parse(prefix.PadRight(ConsumableCode.Length, '0'), field);
    }

    private static void ValidateComponents(ConsumableLot category, string field)
    {
        if (!Enum.IsDefined(category.PurchaseUnit))
        {
            throw ProcurementException.Invalid($"{field}.purchaseUnit", $"{field}.purchaseUnit must be Unit or System.");
        }
        var components = category.Components ?? [];
        if (category.PurchaseUnit == ConsumablePurchaseUnit.Unit)
        {
            if (components.Count > 0)
            {
                throw ProcurementException.Invalid($"{field}.components", $"{field} is bought per unit and has no components; a system lists them.");
            }
            return;
        }
        if (components.Count == 0)
        {
            throw ProcurementException.Invalid($"{field}.components", $"{field} is a system and must list its components.");
        }
        if (components.Count > MaxComponents)
        {
            throw ProcurementException.Invalid($"{field}.components", $"A system has at most {MaxComponents} components, not {components.Count}.");
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var j = 0; j < components.Count; j++)
        {
            var at = $"{field}.components[{j}]";
            var component = Check.NotNull(components[j], at);
            if (!ids.Add(Check.Id(component.ComponentId, $"{at}.componentId")))
            {
                throw ProcurementException.Invalid($"{at}.componentId", $"{field}.components lists '{component.ComponentId}' twice.");
            }
            Check.Text(component.Name, $"{at}.name", MaxNameLength);
            if (component.MaxValidPrice is { } price)
            {
                Price(price, $"{at}.maxValidPrice");
            }
        }
    }

    private static void Price(decimal price, string field)
    {
        if (price <= 0 || price > MaxPrice)
        {
            throw ProcurementException.Invalid(field, $"{field} must be above 0 and at most {MaxPrice:N0} CNY, not {price}.");
        }
        Check.Decimals(price, 4, field);
    }

    private static void ValidateRuleSet(ConsumableTerms terms)
    {
        if (!ConsumableRuleSetCatalog.Names.Contains(terms.RuleSetName ?? ""))
        {
            throw ProcurementException.Invalid("consumables.ruleSetName",
                $"consumables.ruleSetName must be one of {string.Join(", ", ConsumableRuleSetCatalog.Names)}, not '{terms.RuleSetName}'.");
        }
        var parameters = Check.NotNull(terms.Parameters, "consumables.parameters");
        try
        {
            foreach (var key in parameters.Keys)
            {
                ConsumableRuleSetCatalog.Parameter(key);
            }
            ConsumableRuleSetCatalog.Resolve(terms.RuleSetName!, parameters);
        }
        catch (RuleParameterException ex)
        {
            throw ProcurementException.Invalid($"consumables.parameters.{ex.Parameter}", ex.Message);
        }
    }
}
