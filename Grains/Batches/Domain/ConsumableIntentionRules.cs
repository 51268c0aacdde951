using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Hosting;

namespace Procurement.Grains.Batches.Domain;

/// <summary>
/// What a hospital's brand intentions must be: each names a category of the batch once, a firm, and
/// optionally a product of it (certificate and model together, each of at most
/// <see cref="MaxProductTextLength"/> characters, and a valid 27-character code within the
/// category's class where given; a code only with a product), an annual quantity from 1 to
/// <see cref="MaxAnnualQuantity"/>, and at most <see cref="MaxFurtherChoices"/> further firms, none
/// repeating the intended firm or an earlier choice. Below the batch's share of a known history
/// the hospital gives a reason (the drugs' rule, <see cref="ReportingTerms.NeedsReason"/>); in a
/// renewal it intends at least its part of the previous year's agreed volume
/// (<see cref="ReportingTerms.RenewalFloors"/>), with or without a reason. That
/// every firm is a registered manufacturer is the store's check.
/// </summary>
public static class ConsumableIntentionRules
{
    public const long MaxAnnualQuantity = 10_000_000;

    public const int MaxFurtherChoices = 10;

    public const int MaxProductTextLength = 200;

    /// <summary>
    /// The lines, checked and cleaned (blank optional text as null, so a blank certificate and model are no product; the code trimmed). <paramref name="history"/>
    /// is the hospital's average annual use keyed by category id: where it has an entry, the history rule applies.
    /// </summary>
    public static IReadOnlyList<ConsumableIntentionLine> Validate(
        string batchId, ReportingTerms terms, IReadOnlyList<ConsumableIntentionLine>? lines, IReadOnlyDictionary<string, long> history)
    {
        var checkedLines = Check.NonEmpty(lines, "lines");
        var categories = terms.ConsumableCategories.ToDictionary(c => c.CategoryId, StringComparer.Ordinal);
        if (checkedLines.Count > Math.Max(categories.Count, 1))
        {
            throw ProcurementException.Invalid("lines", $"Batch {batchId} has {categories.Count} categories; {checkedLines.Count} intentions are more than one each.");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var cleaned = new List<ConsumableIntentionLine>(checkedLines.Count);
        for (var i = 0; i < checkedLines.Count; i++)
        {
            var at = $"lines[{i}]";
            var line = Check.NotNull(checkedLines[i], at);
            Check.Id(line.CategoryId, $"{at}.categoryId");
            if (!categories.TryGetValue(line.CategoryId, out var category))
            {
                throw new ProcurementException(ErrorCodes.ConsumableCategoryNotInBatch, $"Category '{line.CategoryId}' is not a category of batch {batchId}.", $"{at}.categoryId");
            }
            if (!seen.Add(line.CategoryId))
            {
                throw ProcurementException.Invalid($"{at}.categoryId", $"Category '{line.CategoryId}' has two intentions; state one per category.");
            }
            Check.Id(line.ManufacturerId, $"{at}.manufacturerId");
            var (certificate, model) = CheckProduct(line, at);
            var code = string.IsNullOrWhiteSpace(line.ConsumableCode) ? null : ConsumableCode.Parse(line.ConsumableCode, $"{at}.consumableCode").Value;
            if (code is not null && category.ClassPrefix is { } prefix && !code.StartsWith(prefix, StringComparison.Ordinal))
            {
                throw new ProcurementException(ErrorCodes.ConsumableClassMismatch,
                    $"{at}.consumableCode '{code}' is not in class {prefix} of category '{category.CategoryId}'.", $"{at}.consumableCode");
            }
            if (line.AnnualQuantity is <= 0 or > MaxAnnualQuantity)
            {
                throw ProcurementException.Invalid($"{at}.annualQuantity", $"{at}.annualQuantity must be from 1 to {MaxAnnualQuantity:N0}, not {line.AnnualQuantity}.");
            }
            if (terms.RenewalFloors.TryGetValue(line.CategoryId, out var previous) && line.AnnualQuantity < previous)
            {
                throw new ProcurementException(ErrorCodes.RenewalVolumeBelowPrevious,
                    $"{at}.annualQuantity {line.AnnualQuantity} is below {previous}, this hospital's agreed volume of category {line.CategoryId} in the previous year; a renewal's volume is at least the previous year's.",
                    $"{at}.annualQuantity");
            }
            var choices = CheckChoices(line, at);
            var reason = Check.OptionalText(line.BelowHistoryReason, $"{at}.belowHistoryReason");
            if (history.TryGetValue(line.CategoryId, out var average) && terms.NeedsReason(line.AnnualQuantity, average) && reason is null)
            {
                throw new ProcurementException(
                    ErrorCodes.BelowHistoryNeedsReason,
                    $"{line.AnnualQuantity} is below {terms.FloorOf(average)} ({terms.MinimumShareOfHistory:P0} of the average use {average}) of category {line.CategoryId}; give a reason.",
                    $"{at}.belowHistoryReason");
            }
            cleaned.Add(line with { CertificateNumber = certificate, Model = model, ConsumableCode = code, FurtherChoices = choices, BelowHistoryReason = reason });
        }
        return cleaned;
    }

    /// <summary>
    /// The product the line names, or (null, null) for any product of the firm: the certificate and
    /// the model together or neither, and a code only with them (a code identifies one product).
    /// </summary>
    private static (string? Certificate, string? Model) CheckProduct(ConsumableIntentionLine line, string at)
    {
        var certificate = Check.OptionalText(line.CertificateNumber, $"{at}.certificateNumber", MaxProductTextLength);
        var model = Check.OptionalText(line.Model, $"{at}.model", MaxProductTextLength);
        if (certificate is not null && model is null)
        {
            throw ProductIncomplete($"{at}.model", $"{at}.model is required with the certificate {certificate}: name the product by both, or neither for any product of the firm.");
        }
        if (model is null && !string.IsNullOrWhiteSpace(line.ConsumableCode))
        {
            throw ProductIncomplete($"{at}.consumableCode", $"{at}.consumableCode names a product: give its certificate and model with it, or no code for any product of the firm.");
        }
        if (model is not null && certificate is null)
        {
            throw ProductIncomplete($"{at}.certificateNumber", $"{at}.certificateNumber is required with the model {model}: name the product by both, or neither for any product of the firm.");
        }
        return (certificate, model);
    }

    private static ProcurementException ProductIncomplete(string field, string message) =>
        new(ErrorCodes.ConsumableProductIncomplete, message, field);

    private static List<string> CheckChoices(ConsumableIntentionLine line, string at)
    {
        var choices = line.FurtherChoices ?? [];
        if (choices.Count > MaxFurtherChoices)
        {
            throw ProcurementException.Invalid($"{at}.furtherChoices", $"{at}.furtherChoices has {choices.Count} firms; at most {MaxFurtherChoices}.");
        }
        var named = new HashSet<string>(StringComparer.Ordinal) { line.ManufacturerId };
        for (var j = 0; j < choices.Count; j++)
        {
            Check.Id(choices[j], $"{at}.furtherChoices[{j}]");
            if (!named.Add(choices[j]))
            {
                throw ProcurementException.Invalid($"{at}.furtherChoices[{j}]", $"'{choices[j]}' is the intended firm or an earlier choice.");
            }
        }
        return [.. choices];
    }
}
