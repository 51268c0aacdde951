using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Pages.Account;

/// <summary>The signed-in user changes its password; every other session of the user ends.</summary>
[Authorize, EnableRateLimiting(PortalLimits.Login)]
public sealed class PasswordModel(GrainAccess grains, IStringLocalizer<SharedResource> localizer) : PortalPage(grains, localizer)
{
    [BindProperty, Required(ErrorMessage = "Enter your password.")]
    public string CurrentPassword { get; set; } = "";

    [BindProperty, Required(ErrorMessage = "Enter your password.")]
    public string NewPassword { get; set; } = "";

    public bool Changed { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }
        Changed = await TryAsync(() => Grains.Client.GetGrain<IAccountGrain>(User.UserName())
            .ChangePasswordAsync(CurrentPassword, NewPassword, User.SessionId()));
        return Page();
    }
}
