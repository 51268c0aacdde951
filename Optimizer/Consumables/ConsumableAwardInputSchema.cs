using NJsonSchema;
using NJsonSchema.Validation;

namespace Procurement.Optimizer.Consumables;

/// <summary>
/// The published JSON Schema of the consumables award input (docs/consumables-award-input.schema.json,
/// embedded in this assembly), checked before the input is read: System.Text.Json alone would take
/// a price given as a string and drop an unknown (misspelt) property, so without this check the
/// command would accept what the schema documents as invalid. Each problem carries the code
/// <see cref="ConsumableInputValidator"/> gives the same field, so a caller sees one set of codes
/// whichever check found it.
/// </summary>
public static class ConsumableAwardInputSchema
{
    public const string ResourceName = "consumables-award-input.schema.json";

    private static readonly Lazy<JsonSchema> Schema = new(() =>
    {
        using var stream = typeof(ConsumableAwardInputSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException("The consumables award input schema is not embedded in the optimizer assembly.");
        using var reader = new StreamReader(stream);
        return JsonSchema.FromJsonAsync(reader.ReadToEnd()).GetAwaiter().GetResult();
    });

    /// <summary>Every way <paramref name="json"/> breaks the schema, each with its stable code and the field as a JSON path (<c>$.bids[0].price</c>).</summary>
    public static IReadOnlyList<ConsumableInputProblem> Validate(string json)
    {
        var problems = new List<ConsumableInputProblem>();
        foreach (var error in Schema.Value.Validate(json))
        {
            Collect(error, problems);
        }
        return problems.Take(ConsumableInputLimits.ProblemsListed).ToList();
    }

    private static void Collect(ValidationError error, List<ConsumableInputProblem> problems)
    {
        if (error is ChildSchemaValidationError child && child.Errors.Count > 0)
        {
            foreach (var inner in child.Errors.SelectMany(e => e.Value))
            {
                Collect(inner, problems);
            }
            return;
        }
        var field = PathOf(error);
        var code = CodeOf(error, field);
        problems.Add(new ConsumableInputProblem(code, field, $"{field} {Describe(error.Kind)}"));
    }

    private static string PathOf(ValidationError error)
    {
        var path = "$" + (error.Path ?? "#").TrimStart('#').Replace('/', '.');
        // NJsonSchema places a missing or unknown property at its parent or at itself depending on the kind.
        if (error.Kind is ValidationErrorKind.PropertyRequired or ValidationErrorKind.NoAdditionalPropertiesAllowed && error.Property is { } property
            && !path.EndsWith("." + property, StringComparison.Ordinal))
        {
            path = $"{path}.{property}";
        }
        return path == "$." ? "$" : path;
    }

    private static string CodeOf(ValidationError error, string field) => error.Kind switch
    {
        ValidationErrorKind.PropertyRequired or ValidationErrorKind.StringTooShort => ConsumableInputCodes.Required,
        // A required text given as null is missing, as the validator says of a null id.
        _ when error.Kind.ToString().EndsWith("Expected", StringComparison.Ordinal) && error.Token?.Type == Newtonsoft.Json.Linq.JTokenType.Null
            => ConsumableInputCodes.Required,
        ValidationErrorKind.NoAdditionalPropertiesAllowed => ConsumableInputCodes.Unknown,
        ValidationErrorKind.TooFewItems => ConsumableInputCodes.Required,
        // The validator counts a system's components as a bad value, every other list's length as too many rows.
        ValidationErrorKind.TooManyItems when field.EndsWith(".components", StringComparison.Ordinal) => ConsumableInputCodes.Invalid,
        ValidationErrorKind.TooManyItems => ConsumableInputCodes.TooMany,
        ValidationErrorKind.NotInEnumeration when field == "$.ruleSet" => ConsumableInputCodes.RuleSetUnknown,
        _ => ConsumableInputCodes.Invalid,
    };

    private static string Describe(ValidationErrorKind kind) => kind switch
    {
        ValidationErrorKind.PropertyRequired => "is required",
        ValidationErrorKind.NoAdditionalPropertiesAllowed => "is not a property the schema knows (misspelt?)",
        ValidationErrorKind.NumberTooBig or ValidationErrorKind.IntegerTooBig => "is above the schema's maximum",
        ValidationErrorKind.NumberTooSmall => "is below the schema's minimum",
        ValidationErrorKind.StringTooLong => "is longer than the schema allows",
        ValidationErrorKind.StringTooShort => "is empty",
        ValidationErrorKind.TooManyItems => "has more items than the schema allows",
        ValidationErrorKind.TooFewItems => "has fewer items than the schema needs",
        ValidationErrorKind.TooManyProperties => "has more properties than the schema allows",
        ValidationErrorKind.NumberNotMultipleOf => "has more decimals than the schema allows (at most 4)",
        ValidationErrorKind.NotInEnumeration => "is not one of the schema's values",
        ValidationErrorKind.DateTimeExpected => "must be a date-time (ISO 8601 with an offset)",
        ValidationErrorKind.NumberExpected => "must be a JSON number (a decimal, not a string)",
        ValidationErrorKind.IntegerExpected => "must be a whole number",
        _ when kind.ToString().EndsWith("Expected", StringComparison.Ordinal) => $"has the wrong type ({kind})",
        _ => kind.ToString(),
    };
}
