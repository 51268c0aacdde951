namespace Procurement.Contracts.Grains;

/// <summary>
/// Failed sign-ins from one client address (the key), whatever the user names: past a threshold
/// each further attempt from it waits a doubling delay. In memory: a silo restart forgets it.
/// </summary>
[Alias("Procurement.ISignInThrottleGrain")]
public interface ISignInThrottleGrain : IGrainWithStringKey
{
    /// <summary>When the next attempt from this address is allowed, or null for now.</summary>
    [Alias("RetryAt")]
    Task<DateTimeOffset?> RetryAtAsync();

    [Alias("RecordFailure")]
    Task RecordFailureAsync();
}
