using Procurement.Benchmarks;

return await IngestBenchmark.RunAsync(args);
