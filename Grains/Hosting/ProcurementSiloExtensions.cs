using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Procurement.Grains.Accounts;
using Procurement.Grains.Agreements;
using Procurement.Grains.Lists;
using Procurement.Grains.Sealing;
using Procurement.Grains.Storage;
using Procurement.Grains.Awards;
using Procurement.Grains.Batches;
using Procurement.Grains.Bidders;
using Procurement.Grains.Reference;

namespace Procurement.Grains.Hosting;

public static class ProcurementSiloExtensions
{
    /// <summary>
    /// Everything a silo needs to host the procurement grains: the store (bound from the
    /// <c>Store</c> section, with <c>ConnectionStrings:Procurement</c> as the connection string when
    /// the section has none), the key-encryption key (the <c>Sealing</c> section), the repositories, the agreement rules (the <c>Agreements</c> section), reminders kept in the
    /// store unless the host registered another reminder table before, the business clock, and the
    /// filter that keeps gateway clients from cluster-internal grains (<see cref="ClusterCallFilter"/>;
    /// the host says through <see cref="GatewayClientOptions"/> what its gateway knows of its clients),
    /// and the one that turns exceptions a caller may not see into <c>INTERNAL_ERROR</c> (<see cref="InternalErrorFilter"/>).
    /// </summary>
    public static ISiloBuilder AddProcurement(this ISiloBuilder silo, TimeProvider? clock = null)
    {
        var services = silo.Services;
        services.AddOptions<StoreOptions>()
            .BindConfiguration(StoreOptions.Section)
            .PostConfigure<IConfiguration>((options, configuration) =>
                options.ConnectionString ??= configuration.GetConnectionString("Procurement"))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StoreOptions>, StoreOptionsValidator>());
        services.TryAddSingleton<ProcurementStore>();
        services.TryAddSingleton<ReferenceRepository>();
        services.TryAddSingleton<BatchRepository>();
        services.TryAddSingleton<ReportingRepository>();
        services.TryAddSingleton<ConsumableBatchRepository>();
        services.TryAddSingleton<ConsumableIntentionRevisionStore>();
        services.TryAddSingleton<BidRepository>();
        services.TryAddSingleton<SealingRepository>();
        services.AddOptions<SealingOptions>().BindConfiguration(SealingOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SealingOptions>, SealingOptionsValidator>());
        services.TryAddSingleton<KeyEncryptionKey>();
        services.TryAddSingleton<AwardRepository>();
        services.TryAddSingleton<AwardInputReader>();
        services.TryAddSingleton<ConsumableAwardInputReader>();
        services.TryAddSingleton<ConsumableAwardRepository>();
        services.AddOptions<AgreementOptions>().BindConfiguration(AgreementOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgreementOptions>, AgreementOptionsValidator>());
        services.TryAddSingleton<AgreementRepository>();
        services.TryAddSingleton<UsageRepository>();
        services.TryAddSingleton<MonitoringRepository>();
        services.AddOptions<AccountOptions>().BindConfiguration(AccountOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AccountOptions>, AccountOptionsValidator>());
        services.TryAddSingleton<AccountRepository>();
        services.TryAddSingleton<DirectoryRepository>();
        services.TryAddSingleton<Consumables.ConsumableCodeReader>();
        services.TryAddSingleton<AuditRepository>();
        services.AddOptions<Orders.OrderOptions>().BindConfiguration(Orders.OrderOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Orders.OrderOptions>, Orders.OrderOptionsValidator>());
        services.TryAddSingleton<Orders.OrderRepository>();
        services.TryAddSingleton<Orders.SupplyTermsRepository>();
        services.TryAddKeyedSingleton(ProcurementClock.Key, clock ?? TimeProvider.System);
        services.AddOptions<GatewayClientOptions>();
        // First, so it wraps everything after it: what may not cross the wire becomes INTERNAL_ERROR.
        silo.AddIncomingGrainCallFilter<InternalErrorFilter>();
        silo.AddIncomingGrainCallFilter<ClusterCallFilter>();
        silo.AddReminders();
        // The opening reminder ticks every 10 s until the batch is open (Orleans' default floor is a minute).
        services.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = Batches.TenderBatchGrain.OpeningReminderPeriod);
        services.TryAddSingleton<IReminderTable, SqlReminderTable>();
        return silo;
    }
}
