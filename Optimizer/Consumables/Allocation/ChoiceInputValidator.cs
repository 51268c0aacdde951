namespace Procurement.Optimizer.Consumables.Allocation;

/// <summary>A problem with the input: a stable code, the field it is in (<c>categories[2].intentions[5].quantity</c>) and a message.</summary>
public sealed record ChoiceInputError(string Code, string Field, string Message);

/// <summary>The input was refused; <see cref="Errors"/> lists every problem found.</summary>
public sealed class ChoiceInputException(IReadOnlyList<ChoiceInputError> errors)
    : Exception(string.Join(Environment.NewLine, errors.Select(e => $"{e.Code} {e.Field}: {e.Message}")))
{
    public IReadOnlyList<ChoiceInputError> Errors { get; } = errors;
}

/// <summary>Checks an allocation-by-choice input completely before anything is solved.</summary>
public static class ChoiceInputValidator
{
    public const string FieldRequired = "FIELD_REQUIRED";
    public const string FieldTooLong = "FIELD_TOO_LONG";
    public const string TooMany = "TOO_MANY";
    public const string Repeated = "REPEATED";
    public const string QuantityOutOfRange = "QUANTITY_OUT_OF_RANGE";
    public const string PriceOutOfRange = "PRICE_OUT_OF_RANGE";
    public const string PricePrecision = "PRICE_PRECISION";
    public const string CapacityNegative = "CAPACITY_NEGATIVE";
    public const string FallbackUnknown = "FALLBACK_UNKNOWN";
    public const string OfferUnknown = "OFFER_UNKNOWN";
    public const string OfferNotChosen = "OFFER_NOT_CHOSEN";

    public static IReadOnlyList<ChoiceInputError> Validate(ChoiceAllocationInput input)
    {
        var errors = new List<ChoiceInputError>();
        void Fail(string code, string field, string message) => errors.Add(new ChoiceInputError(code, field, message));
        void Id(string? value, string field)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                Fail(FieldRequired, field, "is required");
            }
            else if (value.Length > ChoiceLimits.MaxIdLength)
            {
                Fail(FieldTooLong, field, $"is {value.Length} characters, at most {ChoiceLimits.MaxIdLength}");
            }
        }

        if (!Enum.IsDefined(input.Fallback))
        {
            Fail(FallbackUnknown, "fallback", $"must be one of {string.Join(", ", Enum.GetNames<FallbackRule>())}, not {(int)input.Fallback}");
        }
        if (input.Categories is null)
        {
            Fail(FieldRequired, "categories", "is required");
            return errors;
        }
        if (input.Categories.Count > ChoiceLimits.MaxCategories)
        {
            Fail(TooMany, "categories", $"{input.Categories.Count:N0} categories, at most {ChoiceLimits.MaxCategories:N0}");
            return errors;
        }
        var categoryIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var c = 0; c < input.Categories.Count; c++)
        {
            var category = input.Categories[c];
            var at = $"categories[{c}]";
            Id(category.CategoryId, $"{at}.categoryId");
            if (category.CategoryId is not null && !categoryIds.TryAdd(category.CategoryId, c))
            {
                Fail(Repeated, $"{at}.categoryId", $"category '{category.CategoryId}' is also categories[{categoryIds[category.CategoryId]}]");
            }
            ValidateWinners(category, at, Fail, Id);
            ValidateIntentions(category, at, Fail, Id);
        }
        return errors;
    }

    public static void ThrowIfInvalid(ChoiceAllocationInput input)
    {
        var errors = Validate(input);
        if (errors.Count > 0)
        {
            throw new ChoiceInputException(errors);
        }
    }

    private static void ValidateWinners(CategoryChoices category, string at, Action<string, string, string> fail, Action<string?, string> id)
    {
        if (category.Winners is null)
        {
            fail(FieldRequired, $"{at}.winners", "is required");
            return;
        }
        if (category.Winners.Count > ChoiceLimits.MaxWinnersPerCategory * ChoiceLimits.MaxOffersPerFirm)
        {
            fail(TooMany, $"{at}.winners", $"{category.Winners.Count:N0} winning offers, at most {ChoiceLimits.MaxWinnersPerCategory * ChoiceLimits.MaxOffersPerFirm:N0}");
            return;
        }
        var offers = new Dictionary<string, int>(StringComparer.Ordinal);
        var firms = new Dictionary<string, int>(StringComparer.Ordinal);
        if (category.Winners.Select(w => w.FirmId).Distinct(StringComparer.Ordinal).Count() > ChoiceLimits.MaxWinnersPerCategory)
        {
            fail(TooMany, $"{at}.winners", $"more than {ChoiceLimits.MaxWinnersPerCategory} winning firms");
            return;
        }
        for (var w = 0; w < category.Winners.Count; w++)
        {
            var offer = category.Winners[w];
            var field = $"{at}.winners[{w}]";
            id(offer.OfferId, $"{field}.offerId");
            id(offer.FirmId, $"{field}.firmId");
            if (offer.OfferId is not null && !offers.TryAdd(offer.OfferId, w))
            {
                fail(Repeated, $"{field}.offerId", $"offer '{offer.OfferId}' is also winners[{offers[offer.OfferId]}]");
            }
            if (offer.FirmId is not null && (firms[offer.FirmId] = firms.GetValueOrDefault(offer.FirmId) + 1) == ChoiceLimits.MaxOffersPerFirm + 1)
            {
                fail(TooMany, $"{field}.firmId", $"firm '{offer.FirmId}' has more than {ChoiceLimits.MaxOffersPerFirm} winning offers in the category");
            }
            if (offer.UnitPrice <= 0 || offer.UnitPrice > ChoiceLimits.MaxUnitPrice)
            {
                fail(PriceOutOfRange, $"{field}.unitPrice", $"{offer.UnitPrice} CNY is not in (0, {ChoiceLimits.MaxUnitPrice:N0}]");
            }
            else if (decimal.Round(offer.UnitPrice, 2) != offer.UnitPrice)
            {
                fail(PricePrecision, $"{field}.unitPrice", $"{offer.UnitPrice} CNY has more than 2 decimals (prices are whole fen)");
            }
            if (offer.AnnualCapacity < 0)
            {
                fail(CapacityNegative, $"{field}.annualCapacity", $"{offer.AnnualCapacity} is negative (null means unbounded)");
            }
        }
    }

    private static void ValidateIntentions(CategoryChoices category, string at, Action<string, string, string> fail, Action<string?, string> id)
    {
        if (category.Intentions is null)
        {
            fail(FieldRequired, $"{at}.intentions", "is required");
            return;
        }
        if (category.Intentions.Count > ChoiceLimits.MaxHospitalsPerCategory)
        {
            fail(TooMany, $"{at}.intentions", $"{category.Intentions.Count:N0} hospitals, at most {ChoiceLimits.MaxHospitalsPerCategory:N0}");
            return;
        }
        var hospitals = new Dictionary<string, int>(StringComparer.Ordinal);
        var winners = (category.Winners ?? []).Where(w => w.OfferId is not null).GroupBy(w => w.OfferId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().FirmId, StringComparer.Ordinal);
        long total = 0;
        for (var h = 0; h < category.Intentions.Count; h++)
        {
            var intention = category.Intentions[h];
            var field = $"{at}.intentions[{h}]";
            id(intention.HospitalId, $"{field}.hospitalId");
            id(intention.RegionCode, $"{field}.regionCode");
            id(intention.IntendedFirmId, $"{field}.intendedFirmId");
            if (intention.HospitalId is not null && !hospitals.TryAdd(intention.HospitalId, h))
            {
                fail(Repeated, $"{field}.hospitalId", $"hospital '{intention.HospitalId}' is also intentions[{hospitals[intention.HospitalId]}]; one intention per hospital per category");
            }
            if (intention.Quantity is <= 0 or > ChoiceLimits.MaxQuantity)
            {
                fail(QuantityOutOfRange, $"{field}.quantity", $"{intention.Quantity:N0} is not in [1, {ChoiceLimits.MaxQuantity:N0}]");
            }
            else
            {
                total += intention.Quantity;
            }
            if (intention.FurtherChoices is { } further)
            {
                if (further.Count + 1 > ChoiceLimits.MaxChoicesPerHospital)
                {
                    fail(TooMany, $"{field}.furtherChoices", $"{further.Count + 1} choices with the intended firm, at most {ChoiceLimits.MaxChoicesPerHospital}");
                }
                for (var k = 0; k < further.Count; k++)
                {
                    id(further[k], $"{field}.furtherChoices[{k}]");
                }
            }
            if (intention.NamedOffers is { } named)
            {
                ValidateNamedOffers(intention, named, winners, field, fail, id);
            }
        }
        if (total > ChoiceLimits.MaxCategoryQuantity)
        {
            fail(QuantityOutOfRange, $"{at}.intentions", $"the category's hospitals intend {total:N0} units, at most {ChoiceLimits.MaxCategoryQuantity:N0}");
        }
    }

    /// <summary>A hospital names at most one winning offer per firm, each of a firm it chose.</summary>
    private static void ValidateNamedOffers(HospitalIntention intention, IReadOnlyList<string> named, Dictionary<string, string> winners, string field,
        Action<string, string, string> fail, Action<string?, string> id)
    {
        if (named.Count > ChoiceLimits.MaxChoicesPerHospital)
        {
            fail(TooMany, $"{field}.namedOffers", $"{named.Count} named offers, at most {ChoiceLimits.MaxChoicesPerHospital}");
            return;
        }
        var chosen = new HashSet<string?>([intention.IntendedFirmId, .. intention.FurtherChoices ?? []], StringComparer.Ordinal);
        var firms = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var n = 0; n < named.Count; n++)
        {
            id(named[n], $"{field}.namedOffers[{n}]");
            if (string.IsNullOrWhiteSpace(named[n]) || named[n].Length > ChoiceLimits.MaxIdLength)
            {
                continue;
            }
            if (!winners.TryGetValue(named[n], out var firm))
            {
                fail(OfferUnknown, $"{field}.namedOffers[{n}]", $"'{named[n]}' is not a winning offer of the category");
            }
            else if (!chosen.Contains(firm))
            {
                fail(OfferNotChosen, $"{field}.namedOffers[{n}]", $"offer '{named[n]}' is of firm '{firm}', which is not among the hospital's choices");
            }
            else if (!firms.TryAdd(firm, n))
            {
                fail(Repeated, $"{field}.namedOffers[{n}]", $"names a second offer of firm '{firm}' (namedOffers[{firms[firm]}]); one per firm");
            }
        }
    }
}
