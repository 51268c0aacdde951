using Procurement.Contracts.Errors;

namespace Procurement.Contracts.Domain;

/// <summary>
/// A search of the consumables code master data (<c>GET /api/consumable-codes</c>): codes in code
/// order, at most <see cref="Limit"/> after the code <see cref="After"/>. A text search reads only
/// a bounded part of the table: it needs a <see cref="Prefix"/> of at least
/// <see cref="MinTextPrefix"/> characters (a subcategory, such as C0201) or a certificate.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableCodeQuery")]
public sealed record ConsumableCodeQuery(
    [property: Id(0)] string? Prefix,
    [property: Id(1)] string? CertificateNumber,
    [property: Id(2)] string? Text,
    [property: Id(3)] bool? Active,
    [property: Id(4)] int Limit,
    [property: Id(5)] string? After)
{
    public const int DefaultLimit = 50;

    public const int MaxLimit = 500;

    public const int MinTextPrefix = 5;

    public const int MaxText = 100;

    /// <summary>The query checked, its text trimmed and blanks as null, or a refusal naming the field.</summary>
    public ConsumableCodeQuery Validated()
    {
        var prefix = Blank(Prefix)?.ToUpperInvariant();
        if (prefix is not null && (prefix.Length > ConsumableCode.Length || prefix[0] != 'C' || !prefix.Skip(1).All(char.IsAsciiDigit)))
        {
            throw new ProcurementException(ErrorCodes.ConsumableCodeMalformed,
                $"prefix '{prefix}' is not the start of a consumables code ('C' and up to 26 digits).", "prefix");
        }
        var certificate = Blank(CertificateNumber);
        if (certificate?.Length > 100)
        {
            throw ProcurementException.Invalid("certificateNumber", "certificateNumber has at most 100 characters.");
        }
        var text = Blank(Text);
        if (text is not null)
        {
            if (text.Length > MaxText)
            {
                throw ProcurementException.Invalid("text", $"text has at most {MaxText} characters.");
            }
            if ((prefix?.Length ?? 0) < MinTextPrefix && certificate is null)
            {
                throw ProcurementException.Invalid("text",
                    $"A text search needs a prefix of at least {MinTextPrefix} characters (a subcategory, such as C0201) or a certificate number, so that it reads a bounded part of the codes.");
            }
        }
        if (Limit is < 1 or > MaxLimit)
        {
            throw new ProcurementException(ErrorCodes.PageLimitOutOfRange, $"limit must be from 1 to {MaxLimit}, not {Limit}.", "limit");
        }
        var after = Blank(After);
        if (after is not null && !ConsumableCode.TryParse(after, "after", out _, out _))
        {
            throw new ProcurementException(ErrorCodes.PageCursorInvalid, "after is not a code this read gave out; start again without it.", "after");
        }
        return new ConsumableCodeQuery(prefix, certificate, text, Active, Limit, after);
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}

/// <summary>One code of the master data, with its deactivation and the code that replaces it, where the release has them.</summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableCodeEntry")]
public sealed record ConsumableCodeEntry(
    [property: Id(0)] string Code,
    [property: Id(1)] string CategoryCode,
    [property: Id(2)] string SubcategoryCode,
    [property: Id(3)] string GeneralClassCode,
    [property: Id(4)] string GeneralNameCode,
    [property: Id(5)] string? CategoryName,
    [property: Id(6)] string? SubcategoryName,
    [property: Id(7)] string? GeneralName,
    [property: Id(8)] string? Material,
    [property: Id(9)] string Specification,
    [property: Id(10)] string Registrant,
    [property: Id(11)] string CertificateNumber,
    [property: Id(12)] string? ProductName,
    [property: Id(13)] bool Active,
    [property: Id(14)] string? DeactivatedOn,
    [property: Id(15)] string? DeactivationReason,
    [property: Id(16)] string? ReplacedBy);

/// <summary>A page of codes; <see cref="Next"/> is the cursor of the next page (null on the last).</summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableCodePage")]
public sealed record ConsumableCodePage(
    [property: Id(0)] IReadOnlyList<ConsumableCodeEntry> Items,
    [property: Id(1)] string? Next);

/// <summary>
/// One code looked up: its entry (null when the release lists it only as an old code of the
/// transcoding table), the code that replaces it, and the old codes it replaces.
/// </summary>
[GenerateSerializer, Immutable, Alias("Procurement.ConsumableCodeLookup")]
public sealed record ConsumableCodeLookup(
    [property: Id(0)] string Code,
    [property: Id(1)] ConsumableCodeEntry? Entry,
    [property: Id(2)] string? ReplacedBy,
    [property: Id(3)] IReadOnlyList<string> Replaces);
