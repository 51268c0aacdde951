using Procurement.Contracts.Errors;

namespace Procurement.Contracts.Domain;

/// <summary>
/// A national medical-insurance consumables code (医保医用耗材代码): 27 characters, 'C' and 26
/// digits, read left to right from the broadest class to the product's specification/model
/// (docs/CONSUMABLES.md, "The code"). <see cref="Category"/> is the first-level class with its
/// letter (C01 non-vascular interventional, C02 vascular interventional, C03 orthopaedic, …).
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableCode")]
public sealed record ConsumableCode(
    [property: Id(0)] string Value,
    [property: Id(1)] string Category,
    [property: Id(2)] string Subcategory,
    [property: Id(3)] string GeneralClass,
    [property: Id(4)] string GeneralName,
    [property: Id(5)] string Feature,
    [property: Id(6)] string Manufacturer,
    [property: Id(7)] string Specification)
{
    public const int Length = 27;

    // Where each part starts and how long it is; the parts cover the code without a gap.
    private static readonly (string Field, int Start, int Length)[] Parts =
    [
        ("category", 1, 2),
        ("subcategory", 3, 2),
        ("general_class", 5, 2),
        ("general_name", 7, 3),
        ("feature", 10, 5),
        ("manufacturer", 15, 5),
        ("specification", 20, 7),
    ];

    /// <summary>The code, or a <see cref="ProcurementException"/> with a stable code and the offending part as its field.</summary>
    public static ConsumableCode Parse(string? text, string field = "code") =>
        TryParse(text, field, out var code, out var error) ? code! : throw error!;

    /// <summary>
    /// Parses without throwing. The error's <see cref="ProcurementException.Field"/> is
    /// <paramref name="field"/> for a wrong length, and <c>field.part</c> (e.g. <c>code.category</c>)
    /// for a bad character or category.
    /// </summary>
    public static bool TryParse(string? text, string field, out ConsumableCode? code, out ProcurementException? error)
    {
        code = null;
        error = null;
        var value = text?.Trim() ?? "";
        if (value.Length == 0)
        {
            error = ProcurementException.Required(field);
            return false;
        }
        if (value.Length != Length)
        {
            error = new ProcurementException(ErrorCodes.ConsumableCodeLength,
                $"{field} '{value}' has {value.Length} characters; a consumables code has {Length}.", field);
            return false;
        }
        if (value[0] != 'C')
        {
            error = new ProcurementException(ErrorCodes.ConsumableCodeMalformed,
                $"{field} '{value}' does not start with the consumables letter C.", $"{field}.identifier");
            return false;
        }
        foreach (var (part, start, length) in Parts)
        {
            for (var i = start; i < start + length; i++)
            {
                if (!char.IsAsciiDigit(value[i]))
                {
                    error = new ProcurementException(ErrorCodes.ConsumableCodeMalformed,
                        $"{field} '{value}' has '{value[i]}' at position {i + 1}, in its {part.Replace('_', ' ')} part, where a digit belongs.", $"{field}.{part}");
                    return false;
                }
            }
        }
        if (value.AsSpan(1, 2) is "00")
        {
            error = new ProcurementException(ErrorCodes.ConsumableCodeCategory,
                $"{field} '{value}' has first-level category C00; categories are numbered from C01.", $"{field}.category");
            return false;
        }
        code = new ConsumableCode(
            value,
            "C" + value.Substring(1, 2),
            value.Substring(3, 2),
            value.Substring(5, 2),
            value.Substring(7, 3),
            value.Substring(10, 5),
            value.Substring(15, 5),
            value.Substring(20, 7));
        return true;
    }

    /// <summary>The 26 digits as one number: a compact key for finding a code repeated in a large file.</summary>
    public UInt128 Key => UInt128.Parse(Value.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);

    public override string ToString() => Value;
}

/// <summary>Which table of the code master data a file carries.</summary>
public enum ConsumableCodeFileKind
{
    /// <summary>The codes with their classes, registrant, certificate, model and product name.</summary>
    Codes,

    /// <summary>The codes taken out of use, each with the date and the reason.</summary>
    Deactivated,

    /// <summary>Old code → new code, for codes the release replaced.</summary>
    Transcoding,
}

/// <summary>What became of one file given to the importer.</summary>
public enum ConsumableImportOutcome
{
    /// <summary>Every row was written, in one transaction.</summary>
    Imported,

    /// <summary>A file with the same content (SHA-256) and kind was imported completely before; nothing done.</summary>
    AlreadyImported,

    /// <summary>The file or some rows were bad (see the errors); nothing was written.</summary>
    Refused,
}

/// <summary>
/// The result of importing one file: its rows when imported, or the row errors (the first
/// <c>MaxErrors</c>; <see cref="MoreErrors"/> counts the rest) when refused.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableImportResult")]
public sealed record ConsumableImportResult(
    [property: Id(0)] string FileName,
    [property: Id(1)] ConsumableCodeFileKind Kind,
    [property: Id(2)] string Sha256,
    [property: Id(3)] ConsumableImportOutcome Outcome,
    [property: Id(4)] int Rows,
    [property: Id(5)] IReadOnlyList<RowError> Errors,
    [property: Id(6)] int MoreErrors);
