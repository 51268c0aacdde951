using Microsoft.Extensions.Options;

namespace Procurement.Grains.Accounts;

/// <summary>Password, sign-in delay and session rules of portal accounts (section <c>Accounts</c>).</summary>
public sealed class AccountOptions
{
    public const string Section = "Accounts";

    /// <summary>Consecutive failed sign-ins of one user name before each further attempt must wait.</summary>
    public int FreeFailures { get; set; } = 5;

    /// <summary>Failed sign-ins from one client address (any user names) before each further attempt from it must wait.</summary>
    public int FreeFailuresPerAddress { get; set; } = 20;

    /// <summary>The longest wait: the delay doubles from one second up to this.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Open sessions kept per user (one per signed-in browser or client); signing in past it ends the oldest.</summary>
    public int MaxSessionsPerUser { get; set; } = 100;

    public int MinimumPasswordLength { get; set; } = 10;
}

public sealed class AccountOptionsValidator : IValidateOptions<AccountOptions>
{
    public ValidateOptionsResult Validate(string? name, AccountOptions options)
    {
        var failures = new List<string>();
        if (options.FreeFailures is < 1 or > 100)
        {
            failures.Add($"Accounts:FreeFailures must be from 1 to 100, not {options.FreeFailures}.");
        }
        if (options.FreeFailuresPerAddress is < 1 or > 100_000)
        {
            failures.Add($"Accounts:FreeFailuresPerAddress must be from 1 to 100000, not {options.FreeFailuresPerAddress}.");
        }
        if (options.MaxDelay <= TimeSpan.Zero)
        {
            failures.Add("Accounts:MaxDelay must be a positive time span (for example 00:15:00).");
        }
        if (options.MaxSessionsPerUser is < 1 or > 10_000)
        {
            failures.Add($"Accounts:MaxSessionsPerUser must be from 1 to 10000, not {options.MaxSessionsPerUser}.");
        }
        if (options.MinimumPasswordLength is < 8 or > 128)
        {
            failures.Add($"Accounts:MinimumPasswordLength must be from 8 to 128, not {options.MinimumPasswordLength}.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
