namespace Procurement.Contracts.Grains;

/// <summary>
/// A grain interface or method that only the cluster itself calls (another grain, or a service of a
/// silo through the silo's own client). A call from an Orleans client connected through a gateway
/// (the standalone portal, or anything else that reaches the port) is refused with
/// <see cref="Errors.ErrorCodes.ClusterInternal"/> before the grain runs. See docs/SECURITY.md, "Cluster".
/// </summary>
[AttributeUsage(AttributeTargets.Interface | AttributeTargets.Method, Inherited = false)]
public sealed class ClusterInternalAttribute : Attribute;
