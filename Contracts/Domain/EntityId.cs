using Procurement.Contracts.Errors;

namespace Procurement.Contracts.Domain;

/// <summary>
/// The shape of an id of a batch, hospital, manufacturer or product: 1 to 64 characters, letters,
/// digits, '-', '_', '.' or '@', starting with a letter or digit and without "..". So no id is a
/// path (<c>../a/b</c>), a spreadsheet formula (<c>=1+1</c>) or carries control characters, and the
/// portal can refuse one before any grain is activated for it.
/// </summary>
public static class EntityId
{
    public const int MaxLength = 64;

    public static bool IsValid(string? value) =>
        value is { Length: > 0 and <= MaxLength }
        && char.IsLetterOrDigit(value[0])
        && value.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or '@')
        && !value.Contains("..", StringComparison.Ordinal);

    /// <summary>The id, or a refusal naming the field.</summary>
    public static string Require(string? value, string field) =>
        IsValid(value)
            ? value!
            : string.IsNullOrEmpty(value)
                ? throw ProcurementException.Required(field)
                : throw ProcurementException.Invalid(field,
                    $"{field} must be 1 to {MaxLength} letters, digits, '-', '_', '.' or '@', starting with a letter or digit.");
}
