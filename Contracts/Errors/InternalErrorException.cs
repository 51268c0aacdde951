namespace Procurement.Contracts.Errors;

/// <summary>
/// What the caller of a grain gets when the call failed for a reason that is no refusal: a database
/// error, a fault. The original stays on the silo, logged with <see cref="CorrelationId"/>; it could
/// not cross the wire as it is (a database driver's exception has no codec, and its message may
/// quote SQL, a connection string or values), so this says only that it happened and where to look.
/// </summary>
[GenerateSerializer, Alias("Procurement.InternalErrorException")]
public sealed class InternalErrorException : Exception
{
    public InternalErrorException(string correlationId)
        : base($"The request failed inside the cluster; the silo log has the cause under correlation id {correlationId}.")
    {
        CorrelationId = correlationId;
    }

    /// <summary>Always <see cref="ErrorCodes.InternalError"/>: clients switch on codes, as for a <see cref="ProcurementException"/>.</summary>
    public string Code => ErrorCodes.InternalError;

    /// <summary>The id the silo logged the original exception under.</summary>
    [Id(0)]
    public string CorrelationId { get; }
}
