using Microsoft.Extensions.Options;
using Procurement.Contracts.Grains;
using Procurement.Grains.Hosting;

namespace Procurement.Grains.Accounts;

/// <summary>
/// Failed sign-ins from one client address. A success does not clear the count (an attacker would
/// sign in to an account of its own between guesses); a quiet spell as long as the longest delay does.
/// </summary>
public sealed class SignInThrottleGrain(
    IOptions<AccountOptions> options,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock) : Grain, ISignInThrottleGrain
{
    private int _failures;
    private DateTimeOffset _lastFailure;

    public Task<DateTimeOffset?> RetryAtAsync()
    {
        var now = ProcurementClock.Now(clock);
        var retryAt = SignInDelay.RetryAt(_failures, _lastFailure, options.Value.FreeFailuresPerAddress, options.Value.MaxDelay);
        return Task.FromResult(retryAt > now ? retryAt : null);
    }

    public Task RecordFailureAsync()
    {
        var now = ProcurementClock.Now(clock);
        if (now - _lastFailure > options.Value.MaxDelay)
        {
            _failures = 0;
        }
        _failures++;
        _lastFailure = now;
        return Task.CompletedTask;
    }
}
