using System.Diagnostics;

namespace Procurement.Benchmarks;

/// <summary>One simulated client of a surge: its place among the clients and the requests it has sent.</summary>
internal interface ISurgeClient
{
    int Index { get; }

    long Counter { get; set; }
}

/// <summary>One request of a client; returns null when it was answered with success, else what went wrong.</summary>
internal delegate Task<string?> SurgeAction<in TClient>(TClient client, long counter);

/// <summary>
/// The load loop of the surges (bids and orders): every client flat out, or all paced at a fixed
/// total rate, each phase printed with its throughput, errors, latencies and the CPU it took.
/// </summary>
/// <param name="tag">The run's prefix of every line (the database).</param>
/// <param name="clients">Every client, by <see cref="ISurgeClient.Index"/>.</param>
/// <param name="postmaster">The PostgreSQL server started for the run, whose CPU counts too; null otherwise.</param>
/// <param name="unit">What a paced phase's requests are called (requests, orders).</param>
/// <param name="answered">How a success is named in the summary (answered 200, answered with success).</param>
/// <param name="acknowledged">When a phase starts: what to add to its success figure at the end, given its seconds (none: nothing).</param>
internal sealed class SurgeLoad<TClient>(
    string tag, TClient[] clients, int? postmaster, string unit, string answered, Func<Func<double, string>>? acknowledged = null)
    where TClient : ISurgeClient
{
    /// <summary>Every client sends its next request as soon as the last is answered, until the time is up.</summary>
    public async Task<PhaseLog> FlatOutAsync(string name, TimeSpan duration, SurgeAction<TClient> action, bool print, TClient[]? only = null)
    {
        var running = only ?? clients;
        var log = new PhaseLog();
        var extra = acknowledged?.Invoke();
        var cpu = CpuMark.Now(postmaster);
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(running.Select(client => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                var sent = Stopwatch.GetTimestamp();
                var error = await action(client, client.Counter++);
                var micros = (long)Stopwatch.GetElapsedTime(sent).TotalMicroseconds;
                log.Add(micros, micros, error);
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var used = CpuMark.Now(postmaster).Since(cpu);
        if (print)
        {
            Console.WriteLine($"{tag} {name}: {log.Count:N0} requests in {elapsed:F1} s, {running.Length} client(s)");
            Console.WriteLine($"{tag}     {answered}: {log.Ok:N0} = {log.Ok / elapsed:N0}/s{extra?.Invoke(elapsed)}; errors: {log.Errors}");
            Console.WriteLine($"{tag}     latency: {log.Latency}");
            Console.WriteLine($"{tag}     {used}; load average {CpuMark.LoadAverage()}");
        }
        return log;
    }

    /// <summary>
    /// Requests at a fixed total rate, each client its share, evenly staggered. Latency counts from
    /// when a request was due, not when it went out: a client held up by a slow answer sends the
    /// late ones back to back and their wait is counted (no coordinated omission).
    /// </summary>
    public async Task PacedAsync(string name, TimeSpan duration, double perSecond, SurgeAction<TClient> action)
    {
        var log = new PhaseLog();
        var extra = acknowledged?.Invoke();
        var cpu = CpuMark.Now(postmaster);
        var interval = clients.Length / perSecond * Stopwatch.Frequency;
        var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10;
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var late = 0;
        var unsent = 0;
        await Task.WhenAll(clients.Select(client => Task.Run(async () =>
        {
            var due = start + (long)(interval * client.Index / clients.Length);
            while (due < end)
            {
                if (Stopwatch.GetTimestamp() >= end)
                {
                    // Time is up with requests still due: a server that falls behind does not stretch the phase.
                    Interlocked.Add(ref unsent, (int)Math.Ceiling((end - due) / interval));
                    break;
                }
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }
                else if (wait < -TimeSpan.FromMilliseconds(1))
                {
                    Interlocked.Increment(ref late);
                }
                var sent = Stopwatch.GetTimestamp();
                var error = await action(client, client.Counter++);
                var now = Stopwatch.GetTimestamp();
                log.Add((long)Stopwatch.GetElapsedTime(due, now).TotalMicroseconds, (long)Stopwatch.GetElapsedTime(sent, now).TotalMicroseconds, error);
                due += (long)interval;
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Console.WriteLine($"{tag} {name}: {log.Count:N0} {unit} in {elapsed:F1} s ({late:N0} sent more than 1 ms after they were due; "
            + $"{unsent:N0} due but not sent when the time was up, left out of the latencies)");
        Console.WriteLine($"{tag}     {answered}: {log.Ok:N0} = {log.Ok / elapsed:N0}/s{extra?.Invoke(elapsed)}; errors: {log.Errors}");
        Console.WriteLine($"{tag}     latency from when due: {log.Latency}");
        Console.WriteLine($"{tag}     latency from when sent: {log.ServiceLatency}");
        Console.WriteLine($"{tag}     {CpuMark.Now(postmaster).Since(cpu)}; load average {CpuMark.LoadAverage()}");
    }
}
