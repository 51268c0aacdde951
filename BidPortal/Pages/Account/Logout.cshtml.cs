using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Procurement.BidPortal.Security;

namespace Procurement.BidPortal.Pages.Account;

public sealed class LogoutModel : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        await SessionValidation.SignOutAsync(HttpContext);
        return Redirect("/Account/Login");
    }
}
