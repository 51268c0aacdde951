using System.Buffers.Text;
using System.Text.Json;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;

namespace Procurement.Grains.Batches.Domain;

/// <summary>
/// The paged demand read's rules: a limit from 1 to <see cref="ConsumableDemandPageRequest.MaxLimit"/>,
/// a category of the batch, and a keyset cursor over (category id, hospital id), the key the pages
/// are ordered by, so a page is found by the index whatever its depth and an intention stated
/// between two reads is neither skipped nor read twice.
/// </summary>
public static class ConsumableDemandPaging
{
    /// <summary>Two ids of at most 64 characters, as JSON and base64url, are far below this; anything longer is not a cursor the read gave out.</summary>
    private const int MaxCursorLength = 1_000;

    /// <summary>Checks the request and returns the key the page starts after (null for the first page).</summary>
    public static (string CategoryId, string HospitalId)? Check(string batchId, ConsumableTerms terms, ConsumableDemandPageRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Limit is < 1 or > ConsumableDemandPageRequest.MaxLimit)
        {
            throw new ProcurementException(ErrorCodes.PageLimitOutOfRange,
                $"limit must be from 1 to {ConsumableDemandPageRequest.MaxLimit}, not {request.Limit}.", "limit");
        }
        if (request.CategoryId is { } category && !terms.Categories.Any(c => string.Equals(c.CategoryId, category, StringComparison.Ordinal)))
        {
            throw new ProcurementException(ErrorCodes.ConsumableCategoryNotInBatch, $"Category '{category}' is not a category of batch {batchId}.", "category");
        }
        if (request.After is null)
        {
            return null;
        }
        var key = Read(request.After)
            ?? throw new ProcurementException(ErrorCodes.PageCursorInvalid, "after is not a cursor this read gave out; start again without it.", "after");
        if (request.CategoryId is { } only && !string.Equals(key.CategoryId, only, StringComparison.Ordinal))
        {
            throw new ProcurementException(ErrorCodes.PageCursorInvalid, $"after is a cursor of category '{key.CategoryId}', not of '{only}'.", "after");
        }
        return key;
    }

    /// <summary>The cursor of the page after <paramref name="last"/>: opaque to the caller, so the key's form can change.</summary>
    public static string CursorOf(ConsumableIntention last) =>
        Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new[] { last.CategoryId, last.HospitalId }));

    private static (string CategoryId, string HospitalId)? Read(string cursor)
    {
        if (cursor.Length is 0 or > MaxCursorLength)
        {
            return null;
        }
        try
        {
            var key = JsonSerializer.Deserialize<string[]>(Base64Url.DecodeFromChars(cursor));
            return key is [{ Length: > 0 } category, { Length: > 0 } hospital] ? (category, hospital) : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }
}
