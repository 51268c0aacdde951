using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Procurement.Grains.Hosting;

/// <summary>
/// An activation that fails is reported by Orleans to the callers waiting for it with the exception
/// as thrown, outside every grain call filter. A grain that reads the store while it activates
/// wraps the reads in <see cref="ActivateGuardedAsync"/>, so a database failure there reaches them as
/// <see cref="Contracts.Errors.InternalErrorException"/> too, under <see cref="InternalErrorFilter"/>'s rule.
/// </summary>
public static class GuardedActivation
{
    public static async Task ActivateGuardedAsync(this IGrainBase grain, Func<Task> activate)
    {
        try
        {
            await activate();
        }
        catch (Exception ex) when (!InternalErrorFilter.CrossesAsItIs(ex))
        {
            var logger = grain.GrainContext.ActivationServices.GetRequiredService<ILogger<InternalErrorFilter>>();
            throw InternalErrorFilter.Report(logger, ex, $"Activating {grain.GrainContext.GrainId}");
        }
    }
}
