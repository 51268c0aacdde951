using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Pages.Alliance;

/// <summary>
/// Truthful reporting, the alliance's side: the hospitals whose report for the batch differs from
/// what they bought in the twelve months before (accepted on the platform plus declared off it) by
/// more than the configured share, the largest first, with the files of the largest 10,000.
/// </summary>
// A read of every report of the batch beside the year's purchases (seconds at national scale): the exports' bucket.
[EnableRateLimiting(PortalLimits.Exports)]
public sealed class MismatchesModel(GrainAccess grains, IStringLocalizer<SharedResource> localizer) : PortalPage(grains, localizer)
{
    /// <summary>The most mismatches the page lists; the files hold up to <see cref="ReportingMismatches.MaxRows"/>.</summary>
    public const int Shown = 200;

    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    public TenderBatchView View { get; private set; } = null!;

    public ReportingMismatches Mismatches { get; private set; } = new(0, []);

    public async Task OnGetAsync()
    {
        View = await Grains.AllianceBatchAsync(Id);
        Mismatches = await Grains.Act().GetGrain<IOrderFiguresGrain>(0).GetReportingMismatchesAsync(Id, Shown);
        await Names.LoadHospitalsByIdAsync(Mismatches.Largest.Select(m => m.HospitalId).ToHashSet(StringComparer.Ordinal));
    }
}
