using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal.Api;
using Procurement.BidPortal.Security;

namespace Procurement.BidPortal.Pages.Alliance;

/// <summary>An alliance administrator sets a new password for a user of its own alliance; that user's sessions end.</summary>
public sealed class UsersModel(GrainAccess grains, IStringLocalizer<SharedResource> localizer) : PortalPage(grains, localizer)
{
    [BindProperty, Required(ErrorMessage = "Enter your user name.")]
    public string UserName { get; set; } = "";

    [BindProperty, Required(ErrorMessage = "Enter your password.")]
    public string NewPassword { get; set; } = "";

    public string? Reset { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }
        if (await TryAsync(() => AccountApi.ResetOwnUsersPasswordAsync(Grains, User, UserName, NewPassword)))
        {
            Reset = UserName;
        }
        return Page();
    }
}
