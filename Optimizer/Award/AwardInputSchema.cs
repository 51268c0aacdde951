using NJsonSchema;
using NJsonSchema.Validation;

namespace Procurement.Optimizer.Award;

/// <summary>
/// The published JSON Schema of the award input (docs/award-input.schema.json, embedded in this
/// assembly), checked by NJsonSchema before the input is read: the schema is the contract, so the
/// command cannot accept what it documents as invalid. Every problem is named with its JSON path.
/// </summary>
public static class AwardInputSchema
{
    /// <summary>The largest input file the command reads.</summary>
    public const long MaxInputBytes = 256L * 1024 * 1024;

    private static readonly Lazy<JsonSchema> Schema = new(() =>
    {
        using var stream = typeof(AwardInputSchema).Assembly.GetManifestResourceStream("award-input.schema.json")
            ?? throw new InvalidOperationException("The award input schema is not embedded in the optimizer assembly.");
        using var reader = new StreamReader(stream);
        return JsonSchema.FromJsonAsync(reader.ReadToEnd()).GetAwaiter().GetResult();
    });

    /// <summary>The schema's problems with <paramref name="json"/>, as (JSON path, problem), innermost first.</summary>
    public static IReadOnlyList<(string Path, string Problem)> Validate(string json)
    {
        var problems = new List<(string, string)>();
        foreach (var error in Schema.Value.Validate(json))
        {
            Collect(error, problems);
        }
        return problems;
    }

    private static void Collect(ValidationError error, List<(string, string)> problems)
    {
        if (error is ChildSchemaValidationError child && child.Errors.Count > 0)
        {
            foreach (var inner in child.Errors.SelectMany(e => e.Value))
            {
                Collect(inner, problems);
            }
            return;
        }
        var path = "$" + (error.Path ?? "#").TrimStart('#').Replace('/', '.');
        if (error.Kind == ValidationErrorKind.PropertyRequired && error.Property is { } property)
        {
            path = path.EndsWith("." + property, StringComparison.Ordinal) ? path : $"{path}.{property}";
        }
        problems.Add((path == "$." ? "$" : path, Describe(error.Kind)));
    }

    private static string Describe(ValidationErrorKind kind) => kind switch
    {
        ValidationErrorKind.PropertyRequired => "is required",
        ValidationErrorKind.NumberTooBig or ValidationErrorKind.IntegerTooBig => "is above the schema's maximum",
        ValidationErrorKind.NumberTooSmall => "is below the schema's minimum",
        ValidationErrorKind.StringTooLong => "is longer than the schema allows",
        ValidationErrorKind.StringTooShort => "is shorter than the schema allows (empty)",
        ValidationErrorKind.TooManyItems => "has more items than the schema allows",
        ValidationErrorKind.TooFewItems => "has fewer items than the schema needs",
        ValidationErrorKind.NumberNotMultipleOf => "has more decimals than the schema allows",
        ValidationErrorKind.NotInEnumeration => "is not one of the schema's values",
        ValidationErrorKind.DateTimeExpected => "must be a date-time (ISO 8601)",
        _ when kind.ToString().EndsWith("Expected", StringComparison.Ordinal) => $"has the wrong type ({kind})",
        _ => kind.ToString(),
    };
}
