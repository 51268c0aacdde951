using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Security;

namespace Procurement.BidPortal.Pages.Alliance;

/// <summary>
/// The batch page's reminder button: reminds the hospitals that have not reported, at most once a
/// business day, and goes back to the batch saying what happened. A page of its own so the rate
/// limit covers the reminder and not the batch page.
/// </summary>
[EnableRateLimiting(PortalLimits.Reminders)]
public sealed class RemindModel(GrainAccess grains, IStringLocalizer<SharedResource> localizer, BusinessTime time) : PortalPage(grains, localizer)
{
    [TempData]
    public string? Reminded { get; set; }

    public IActionResult OnGet(string id) => Redirect($"/Alliance/Batch?id={Uri.EscapeDataString(id ?? "")}");

    public async Task<IActionResult> OnPostAsync(string id)
    {
        await Grains.AllianceBatchAsync(id);
        Contracts.Domain.ReportingReminder reminder;
        try
        {
            reminder = await Grains.Batch(id).RemindHospitalsToReportAsync();
        }
        catch (Contracts.Errors.ProcurementException ex)
        {
            Reminded = $"{ex.Message} ({ex.Code})";
            return Redirect($"/Alliance/Batch?id={Uri.EscapeDataString(id)}");
        }
        Reminded = reminder.AlreadySent
            ? L["A reminder was already sent today ({0}, to {1} hospitals); the next can go out tomorrow.", time.Local(reminder.SentAt).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), reminder.Hospitals]
            : L["Reminder sent to {0} hospitals.", reminder.Hospitals];
        return Redirect($"/Alliance/Batch?id={Uri.EscapeDataString(id)}");
    }
}
