using System.Globalization;

namespace Procurement.Benchmarks;

/// <summary>Latencies and outcomes of one phase, gathered from all clients.</summary>
internal sealed class PhaseLog
{
    private readonly object _gate = new();
    private readonly List<long> _micros = [];
    private readonly List<long> _serviceMicros = [];
    private readonly Dictionary<string, int> _errors = new(StringComparer.Ordinal);

    public int Ok { get; private set; }

    public void Add(long micros, long serviceMicros, string? error)
    {
        lock (_gate)
        {
            _micros.Add(micros);
            _serviceMicros.Add(serviceMicros);
            if (error is null)
            {
                Ok++;
            }
            else
            {
                _errors[error] = _errors.GetValueOrDefault(error) + 1;
            }
        }
    }

    public int Count => _micros.Count;

    public string Errors => _errors.Count == 0 ? "none" : string.Join(", ", _errors.OrderByDescending(e => e.Value).Select(e => $"{e.Key} x{e.Value}"));

    public static string Percentiles(List<long> micros)
    {
        if (micros.Count == 0)
        {
            return "no requests";
        }
        var sorted = micros.Order().ToArray();
        string At(double q) => Ms(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)]);
        return $"p50 {At(0.50)}  p95 {At(0.95)}  p99 {At(0.99)}  max {Ms(sorted[^1])} ms (mean {Ms((long)sorted.Average())})";
    }

    public string Latency => Percentiles(_micros);

    public string ServiceLatency => Percentiles(_serviceMicros);

    private static string Ms(long micros) => (micros / 1000.0).ToString("F1", CultureInfo.InvariantCulture);
}
