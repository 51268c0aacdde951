using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Api;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Errors;

namespace Procurement.BidPortal.Pages.Account;

[EnableRateLimiting(PortalLimits.Login)]
public sealed class LoginModel(GrainAccess grains, IClusterClient client, IStringLocalizer<SharedResource> localizer) : PortalPage(grains, localizer)
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
        Problem = result.FailureCode == ErrorCodes.AccountLocked
            ? L["The account is locked until {0} after repeated failed sign-ins.", result.LockedUntil!.Value.ToLocalTime().ToString("yyyy-MM-dd HH:mm")]
            : L["The user name or password is wrong."];
        ModelState.AddModelError(nameof(Password), Problem);
        return Page();
    }
}
