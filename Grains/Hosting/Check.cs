using Procurement.Contracts.Errors;

namespace Procurement.Grains.Hosting;

/// <summary>Argument checks at the grain edge; each failure names the field.</summary>
internal static class Check
{
    public const int MaxIdLength = 64;

    public const int MaxTextLength = 1000;

    public static string Id(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw ProcurementException.Required(field);
        }
        if (value.Length > MaxIdLength || value.Trim() != value || value.Any(char.IsControl))
        {
            throw ProcurementException.Invalid(field, $"{field} must be at most {MaxIdLength} characters with no surrounding spaces or control characters.");
        }
        return value;
    }

    public static string Text(string? value, string field, int maxLength = MaxTextLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw ProcurementException.Required(field);
        }
        if (value.Length > maxLength)
        {
            throw ProcurementException.Invalid(field, $"{field} must be at most {maxLength} characters.");
        }
        return value;
    }

    public static string? OptionalText(string? value, string field, int maxLength = MaxTextLength)
    {
        if (value is not null && value.Length > maxLength)
        {
            throw ProcurementException.Invalid(field, $"{field} must be at most {maxLength} characters.");
        }
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    public static T NotNull<T>(T? value, string field)
        where T : class =>
        value ?? throw ProcurementException.Required(field);

    public static IReadOnlyList<T> NonEmpty<T>(IReadOnlyList<T>? values, string field)
    {
        if (values is null || values.Count == 0)
        {
            throw ProcurementException.Invalid(field, $"{field} must have at least one entry.");
        }
        return values;
    }

    public static void Distinct(IReadOnlyList<string> values, string field)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < values.Count; i++)
        {
            Id(values[i], $"{field}[{i}]");
            if (!seen.Add(values[i]))
            {
                throw ProcurementException.Invalid($"{field}[{i}]", $"{field} lists '{values[i]}' twice.");
            }
        }
    }

    public static void MatchesKey(string id, string key, string field)
    {
        if (!string.Equals(id, key, StringComparison.Ordinal))
        {
            throw ProcurementException.Invalid(field, $"{field} '{id}' does not match the grain key '{key}'.");
        }
    }

    /// <summary>
    /// Refuses a value with more decimals than allowed. The message never quotes the value: a bid's
    /// price refused here would otherwise reach the logs before the opening, close to the price the
    /// bidder sends next.
    /// </summary>
    public static void Decimals(decimal value, int decimals, string field)
    {
        if (decimal.Round(value, decimals) != value)
        {
            throw ProcurementException.Invalid(field, $"{field} may have at most {decimals} decimals.");
        }
    }
}
