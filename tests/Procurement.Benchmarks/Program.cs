using Procurement.Benchmarks;

return args.FirstOrDefault() switch
{
    "award" => AwardBenchmark.Run(args[1..]),
    "award-hospital" => HospitalAwardBenchmark.Run(args[1..]),
    "ingest" => await IngestBenchmark.RunAsync(args[1..]),
    "usage" => await UsageBenchmark.RunAsync(args[1..]),
    "order-figures" => await OrderFiguresBenchmark.RunAsync(args[1..]),
    "bid-surge" => await BidSurgeBenchmark.RunAsync(args[1..]),
    "order-month" => await OrderMonthBenchmark.RunAsync(args[1..]),
    "order-surge" => await OrderSurgeBenchmark.RunAsync(args[1..]),
    "consumable-import" => await ConsumableImportBenchmark.RunAsync(args[1..]),
    "order-insert-cost" => await OrderInsertCostBenchmark.RunAsync(args[1..]),
    "consumable-award" => ConsumableAllocationBenchmark.Run(args[1..]),
    _ => await IngestBenchmark.RunAsync(args),
};
