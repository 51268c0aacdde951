using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;

namespace Procurement.Benchmarks;

/// <summary>One acknowledged bid action as the client saw it (HTTP 200 with a receipt).</summary>
internal readonly record struct Ack(int Maker, string RequestId, Guid BidId, int Version, string Sha256, bool Submitted);

/// <summary>
/// The load (its loop is <see cref="SurgeLoad{TClient}"/>): the bid action each client sends (resent
/// as it was when its outcome is unknown) and what each simulated manufacturer knows of its bids.
/// </summary>
internal sealed partial class SurgeRun<TEntry>
{
    /// <summary>
    /// The maker's next bid action: a submit while a product has no bid yet, then amendments round
    /// the five products, each a new price and a fresh client request id. A request whose outcome is
    /// unknown (no answer, or a 5xx) is sent again with the same id, as a client should.
    /// </summary>
    private async Task<string?> BidAsync(Maker maker, long counter)
    {
        var request = maker.Take();
        try
        {
            using var content = new StringContent(request.Body(_batchId), Encoding.UTF8, "application/json");
            using var response = request.Submit
                ? await maker.Http.PostAsync($"/api/batches/{_batchId}/bids", content)
                : await maker.Http.PutAsync($"/api/bids/{maker.BidIds[request.Product]}", content);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var receipt = JsonDocument.Parse(text);
                var root = receipt.RootElement;
                maker.Acknowledge(request, root.GetProperty("bidId").GetGuid(), root.GetProperty("version").GetInt32(), root.GetProperty("contentSha256").GetString()!);
                return null;
            }
            if ((int)response.StatusCode >= 500)
            {
                maker.Unanswered(request);
            }
            return SurgeNet.Describe(response.StatusCode, text);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            maker.Unanswered(request);
            return ex.GetType().Name;
        }
    }

    /// <summary>The same bid action through the silo's own grain factory, without HTTP (a diagnostic).</summary>
    private async Task<string?> BidThroughGrainAsync(IGrainFactory grains, Maker maker)
    {
        var request = maker.Take();
        var bidder = grains.GetGrain<IBidderGrain>(maker.ManufacturerId);
        try
        {
            var content = request.Content(_batchId);
            var receipt = request.Submit
                ? await bidder.SubmitBidAsync(request.RequestId, content)
                : await bidder.AmendBidAsync(request.RequestId, maker.BidIds[request.Product]!.Value, content);
            maker.Acknowledge(request, receipt.BidId, receipt.Version, receipt.ContentSha256);
            return null;
        }
        catch (Procurement.Contracts.Errors.ProcurementException ex) when (ex.Code != Procurement.Contracts.Errors.ErrorCodes.StoreFailure)
        {
            return ex.Code;
        }
        catch (Exception ex)
        {
            maker.Unanswered(request);
            return ex.GetType().Name;
        }
    }

    /// <summary>One bid action as a client composes it; sent again as it is when its outcome is unknown.</summary>
    private sealed record BidRequestText(string RequestId, int Product, decimal Price, bool Submit)
    {
        public BidContent Content(string batchId) =>
            new(batchId, SurgeCatalog.Products[Product].Id, SurgeCatalog.Products[Product].Spec, Price, 10_000_000, SurgeCatalog.Regions);

        public string Body(string batchId)
        {
            var (id, spec, _, _) = SurgeCatalog.Products[Product];
            var price = Price.ToString(CultureInfo.InvariantCulture);
            return $$$"""{"clientRequestId":"{{{RequestId}}}","content":{"batchId":"{{{batchId}}}","productId":"{{{id}}}","specificationCode":"{{{spec}}}","pricePerPack":{{{price}}},"annualCapacity":10000000,"supplyRegions":["BJ","TJ","HE","SX","NM"]}}""";
        }
    }

    /// <summary>One simulated manufacturer: its account, its HTTP client with its cookie, its bids as it knows them.</summary>
    private sealed class Maker(int index, string manufacturerId, string userName, HttpClient http) : ISurgeClient
    {
        private int _next;

        public int Index { get; } = index;

        public string ManufacturerId { get; } = manufacturerId;

        public string UserName { get; } = userName;

        public HttpClient Http { get; } = http;

        public Guid?[] BidIds { get; } = new Guid?[SurgeCatalog.Products.Length];

        public int[] Versions { get; } = new int[SurgeCatalog.Products.Length];

        /// <summary>Per product: a request on it went unanswered since the last receipt (its stored version may be ahead).</summary>
        public bool[] Uncertain { get; } = new bool[SurgeCatalog.Products.Length];

        public List<Ack> Acks { get; } = [];

        public long Counter { get; set; }

        public int UnexpectedVersions { get; private set; }

        public int Resends { get; private set; }

        private BidRequestText? _pending;

        /// <summary>The unanswered request again, else the next one.</summary>
        public BidRequestText Take()
        {
            if (_pending is { } pending)
            {
                _pending = null;
                Resends++;
                return pending;
            }
            var product = _next++ % SurgeCatalog.Products.Length;
            return new BidRequestText(Guid.NewGuid().ToString("N"), product, SurgeCatalog.Price(product, _next + Index), BidIds[product] is null);
        }

        public void Acknowledge(BidRequestText request, Guid bidId, int version, string sha256)
        {
            var expected = request.Submit ? 1 : Versions[request.Product] + 1;
            if (version != expected && !Uncertain[request.Product])
            {
                UnexpectedVersions++;
            }
            BidIds[request.Product] = bidId;
            Versions[request.Product] = version;
            Uncertain[request.Product] = false;
            Acks.Add(new Ack(Index, request.RequestId, bidId, version, sha256, request.Submit));
        }

        public void Unanswered(BidRequestText request)
        {
            _pending = request;
            Uncertain[request.Product] = true;
        }
    }
}
