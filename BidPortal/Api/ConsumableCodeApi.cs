using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Api;

/// <summary>
/// The consumables code master data, for every business role: a search in pages
/// (<c>GET /api/consumable-codes?prefix=&amp;certificateNumber=&amp;text=&amp;active=&amp;limit=&amp;after=</c>)
/// and one code with its replacements (<c>GET /api/consumable-codes/{code}</c>).
/// </summary>
public static class ConsumableCodeApi
{
    public static RouteGroupBuilder MapConsumableCodeApi(this RouteGroupBuilder api)
    {
        var codes = api.MapGroup("/consumable-codes").WithTags("Consumables codes");
        codes.MapGet("", SearchEndpointAsync).WithName("SearchConsumableCodes")
            .WithSummary($"Codes in code order, at most limit (1-{ConsumableCodeQuery.MaxLimit}, default {ConsumableCodeQuery.DefaultLimit}) after the code 'after'; " +
                "by code prefix, certificate number, active, and text in the names, registrant, model or material (which needs a prefix of at least " +
                $"{ConsumableCodeQuery.MinTextPrefix} characters or a certificate number). next is the cursor of the next page.");
        codes.MapGet("/{code}", async (string code, GrainAccess grains) =>
            TypedResults.Ok(await grains.Client.GetGrain<IConsumableCodeGrain>(0).LookupAsync(code)))
            .WithName("GetConsumableCode")
            .WithSummary("One code, with its deactivation, the code that replaces it and the old codes it replaces.");
        return api;
    }

    public static Task<ConsumableCodePage> SearchAsync(GrainAccess grains, ConsumableCodeQuery query) =>
        grains.Client.GetGrain<IConsumableCodeGrain>(0).SearchAsync(query);

    private static async Task<Ok<ConsumableCodePage>> SearchEndpointAsync(
        string? prefix, string? certificateNumber, string? text, string? active, string? limit, string? after, GrainAccess grains) =>
        TypedResults.Ok(await SearchAsync(grains, new ConsumableCodeQuery(prefix, certificateNumber, text, ActiveOf(active), LimitOf(limit), after)));

    // Parsed here rather than bound, so that a bad value gets the read's own code and field, not the framework's.
    private static int LimitOf(string? limit) =>
        string.IsNullOrEmpty(limit) ? ConsumableCodeQuery.DefaultLimit
        : int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw new ProcurementException(ErrorCodes.PageLimitOutOfRange, $"limit must be a whole number from 1 to {ConsumableCodeQuery.MaxLimit}, not '{limit}'.", "limit");

    private static bool? ActiveOf(string? active) =>
        string.IsNullOrEmpty(active) ? null
        : bool.TryParse(active, out var value) ? value
        : throw ProcurementException.Invalid("active", $"active must be true or false, not '{active}'.");
}
