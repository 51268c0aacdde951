using System.Globalization;

namespace Procurement.Optimizer.RuleSets;

/// <summary>How a rule-set parameter's string value is read; a bad value is an error naming the key.</summary>
internal static class RuleParameterValues
{
    public static decimal Number(string key, string value) =>
        decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new RuleParameterException(key, $"'{value}' is not a number.");

    public static decimal Positive(string key, string value) =>
        Number(key, value) is > 0 and var number ? number : throw new RuleParameterException(key, $"must be positive, not {value}.");

    public static decimal NonNegative(string key, string value) =>
        Number(key, value) is >= 0 and var number ? number : throw new RuleParameterException(key, $"must not be negative, not {value}.");

    public static decimal Share(string key, string value) =>
        Number(key, value) is > 0 and <= 1 and var number ? number : throw new RuleParameterException(key, $"must be a share in (0, 1], not {value}.");

    public static decimal ShareFromZero(string key, string value) =>
        Number(key, value) is >= 0 and <= 1 and var number ? number : throw new RuleParameterException(key, $"must be a number from 0 to 1, not '{value}'.");

    public static decimal? OptionalPositive(string key, string value) =>
        string.Equals(value, "none", StringComparison.OrdinalIgnoreCase) ? null : Positive(key, value);

    public static decimal? OptionalShare(string key, string value) =>
        string.Equals(value, "none", StringComparison.OrdinalIgnoreCase) ? null : Share(key, value);

    public static bool Bool(string key, string value) =>
        bool.TryParse(value, out var flag) ? flag : throw new RuleParameterException(key, $"must be true or false, not '{value}'.");

    public static T Enum<T>(string key, string value)
        where T : struct, Enum =>
        System.Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && System.Enum.IsDefined(parsed)
            ? parsed
            : throw new RuleParameterException(key, $"must be one of {string.Join(", ", System.Enum.GetNames<T>())}, not '{value}'.");

    public static IReadOnlyList<int> Counts(string key, string value) =>
        List(key, value, s => int.Parse(s, CultureInfo.InvariantCulture), v => v >= 1);

    public static IReadOnlyList<decimal> Shares(string key, string value) =>
        List(key, value, s => decimal.Parse(s, CultureInfo.InvariantCulture), v => v is > 0 and <= 1);

    private static IReadOnlyList<T> List<T>(string key, string value, Func<string, T> parse, Func<T, bool> valid)
    {
        try
        {
            var items = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(parse).ToList();
            return items.Count > 0 && items.All(valid) ? items : throw new RuleParameterException(key, $"'{value}' is not a valid list.");
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            throw new RuleParameterException(key, $"'{value}' is not a comma-separated list of numbers.");
        }
    }
}
