using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Api;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Errors;

namespace Procurement.BidPortal.Pages.Account;

[EnableRateLimiting(PortalLimits.Login)]
public sealed class LoginModel(GrainAccess grains, IClusterClient client, IStringLocalizer<SharedResource> localizer, [FromKeyedServices(Contracts.Grains.BusinessClock.Key)] TimeProvider clock) : PortalPage(grains, localizer)
{
    [BindProperty, Required(ErrorMessage = "Enter your user name.")]
    public string UserName { get; set; } = "";

    [BindProperty, Required(ErrorMessage = "Enter your password.")]
    public string Password { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var result = await SessionApi.PasswordSignInAsync(client, HttpContext, UserName, Password);
        if (result.Succeeded)
        {
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
        }
        Problem = result is { FailureCode: ErrorCodes.SignInDelayed, RetryAt: { } retryAt }
            ? L["Too many failed sign-ins; try again in {0} s.", SessionApi.SecondsUntil(retryAt, clock)]
            : L["The user name or password is wrong."];
        ModelState.AddModelError(nameof(Password), Problem);
        return Page();
    }
}
