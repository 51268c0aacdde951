namespace Procurement.Grains.Accounts;

/// <summary>
/// The growing wait after failed sign-ins, instead of a lockout that anyone could trigger on a
/// rival's account: the first <c>free</c> failures cost nothing, then the next attempt is allowed
/// 1, 2, 4, 8... seconds after the last failure, at most <c>maxDelay</c>. A correct password after
/// the wait still signs in.
/// </summary>
public static class SignInDelay
{
    public static DateTimeOffset? RetryAt(int failures, DateTimeOffset lastFailure, int free, TimeSpan maxDelay)
    {
        if (failures < free)
        {
            return null;
        }
        var exponent = Math.Min(failures - free, 30);
        var delay = TimeSpan.FromSeconds(Math.Pow(2, exponent));
        return lastFailure + (delay < maxDelay ? delay : maxDelay);
    }
}
