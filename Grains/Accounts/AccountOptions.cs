using Microsoft.Extensions.Options;

namespace Procurement.Grains.Accounts;

/// <summary>Password and lockout rules of portal accounts (section <c>Accounts</c>).</summary>
public sealed class AccountOptions
{
    public const string Section = "Accounts";

    /// <summary>Consecutive failed sign-ins that lock an account.</summary>
    public int LockoutThreshold { get; set; } = 5;

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    public int MinimumPasswordLength { get; set; } = 10;
}

public sealed class AccountOptionsValidator : IValidateOptions<AccountOptions>
{
    public ValidateOptionsResult Validate(string? name, AccountOptions options)
    {
        var failures = new List<string>();
        if (options.LockoutThreshold is < 1 or > 100)
        {
            failures.Add($"Accounts:LockoutThreshold must be from 1 to 100, not {options.LockoutThreshold}.");
        }
        if (options.LockoutDuration <= TimeSpan.Zero)
        {
            failures.Add("Accounts:LockoutDuration must be a positive time span (for example 00:15:00).");
        }
        if (options.MinimumPasswordLength is < 8 or > 128)
        {
            failures.Add($"Accounts:MinimumPasswordLength must be from 8 to 128, not {options.MinimumPasswordLength}.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
