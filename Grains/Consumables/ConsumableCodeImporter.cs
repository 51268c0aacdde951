using System.Security.Cryptography;
using System.Threading.Channels;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Text;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Consumables;

/// <summary>
/// Imports one file of the consumables code master data, all or nothing (docs/CONSUMABLES.md):
/// a file already imported completely (same SHA-256, same kind) is skipped; otherwise every row is
/// read and checked first, streaming, and any bad row refuses the file with every row's errors;
/// a good file is read again and written in one transaction of the store's writer, in chunks, with
/// a run row that marks it imported. A refused or failed file leaves only its run row (status
/// Failed), so it can be fixed and run again.
/// </summary>
public sealed class ConsumableCodeImporter(ProcurementStore store, ConsumableImportOptions options, TimeProvider time)
{
    public async Task<ConsumableImportResult> ImportAsync(string path, ConsumableCodeFileKind kind, CancellationToken cancellationToken = default)
    {
        var started = time.GetUtcNow();
        var fileName = Path.GetFileName(path);
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            return Refused(fileName, kind, "", [new RowError(0, "file", ErrorCodes.NotFound, $"There is no file {path}.")], 0);
        }
        if (file.Length > options.MaxFileBytes)
        {
            return await RefuseAsync(fileName, kind, "", started, 0,
                [new RowError(0, "file", ErrorCodes.UploadTooLarge, $"The file has {file.Length:N0} bytes; at most {options.MaxFileBytes:N0} are accepted ({ConsumableImportOptions.Section}:MaxFileBytes).")], 0);
        }

        var sha256 = await HashAsync(path, cancellationToken);
        if (await store.ReadAsync(c => ConsumableCodeRepository.IsImportedAsync(c, null, sha256, kind)))
        {
            return new ConsumableImportResult(fileName, kind, sha256, ConsumableImportOutcome.AlreadyImported, 0, [], 0);
        }

        var (rows, errors, moreErrors) = await CheckAsync(path, kind, cancellationToken);
        if (errors.Count > 0)
        {
            return await RefuseAsync(fileName, kind, sha256, started, rows, errors, moreErrors);
        }

        var runId = Guid.NewGuid().ToString("N");
        try
        {
            var outcome = await store.WriteAsync<ConsumableImportOutcome>(async unit =>
            {
                // Another import of the same file may have finished since the first look.
                if (await ConsumableCodeRepository.IsImportedAsync(unit.Connection, unit.Transaction, sha256, kind))
                {
                    return ConsumableImportOutcome.AlreadyImported;
                }
                var written = await WriteAsync(unit, path, kind, runId, cancellationToken);
                // The run row says which content was imported: the file must not have changed since it was hashed.
                if (written != rows || await HashAsync(path, cancellationToken) != sha256)
                {
                    throw new ProcurementException(ErrorCodes.ConcurrentChange, $"{fileName} changed while it was imported; nothing of it was written.", "file");
                }
                await ConsumableCodeRepository.RecordRunAsync(unit.Connection, unit.Transaction,
                    new ConsumableImportRun(runId, fileName, sha256, kind, rows, 0, started, time.GetUtcNow(), ConsumableImportRunStatus.Completed, null));
                return ConsumableImportOutcome.Imported;
            });
            return new ConsumableImportResult(fileName, kind, sha256, outcome, outcome == ConsumableImportOutcome.Imported ? rows : 0, [], 0);
        }
        catch (ProcurementException ex)
        {
            // A refusal of this importer, or STORE_FAILURE: the writer logs a database error's cause and rolls the file back.
            return await RefuseAsync(fileName, kind, sha256, started, rows, [new RowError(0, ex.Field ?? "file", ex.Code, ex.Message)], 0);
        }
    }

    /// <summary>
    /// Reads every row and returns how many there are and the row errors (the first
    /// <see cref="ConsumableImportOptions.MaxErrors"/> and a count of the rest). Only the keys of
    /// the rows seen are kept (16 bytes each), to find a code given twice. The rows are read on
    /// another thread while the ones before are parsed, as the write pass does.
    /// </summary>
    private async Task<(int Rows, List<RowError> Errors, int MoreErrors)> CheckAsync(string path, ConsumableCodeFileKind kind, CancellationToken cancellationToken)
    {
        var errors = new List<RowError>();
        var more = 0;
        void Report(RowError error)
        {
            if (errors.Count < options.MaxErrors)
            {
                errors.Add(error);
            }
            else
            {
                more++;
            }
        }

        using var reader = Opened(path, Report);
        if (reader is null)
        {
            return (0, errors, more);
        }
        var parser = Parser(reader, kind, Report);
        if (parser is null)
        {
            return (0, errors, more);
        }
        var firstRow = new Dictionary<UInt128, int>();
        var rows = 0;
        var keyColumn = kind == ConsumableCodeFileKind.Transcoding ? ConsumableColumns.OldCode : ConsumableColumns.Code;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var batches = Channel.CreateBounded<List<(int Row, string[] Cells)>>(new BoundedChannelOptions(ChunksAhead) { SingleReader = true, SingleWriter = true });
        // Where the reading stopped short (bad bytes, a broken file): reported after the rows read before it.
        RowError? readError = null;
        var reading = Task.Run(() => ReadRowsAsync(reader, batches.Writer, e => readError = e, stop.Token), CancellationToken.None);
        try
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(CancellationToken.None))
            {
                foreach (var (row, cells) in batch)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (++rows > options.MaxRowsPerFile)
                    {
                        Report(new RowError(row, "file", ErrorCodes.TooManyRows, $"The file has more than the {options.MaxRowsPerFile:N0} data rows a file may have ({ConsumableImportOptions.Section}:MaxRowsPerFile); nothing was written."));
                        await StopAsync();
                        return (rows, errors, more);
                    }
                    if (parser.Parse(row, cells, Report) is { } parsed && !firstRow.TryAdd(parsed.Key, row))
                    {
                        Report(new RowError(row, keyColumn, ErrorCodes.ConsumableCodeRepeated, $"{keyColumn} {Key(parsed.Row)} is also in row {firstRow[parsed.Key]}."));
                    }
                }
            }
        }
        catch
        {
            await StopAsync();
            throw;
        }
        await reading;
        if (readError is { } stopped)
        {
            Report(stopped);
        }
        if (rows == 0 && errors.Count == 0)
        {
            Report(new RowError(0, "file", ErrorCodes.MalformedFile, "The file has a header but no data row."));
        }
        return (rows, errors, more);

        // The reader must be done with the file before it is closed.
        async Task StopAsync()
        {
            await stop.CancelAsync();
            await Task.WhenAny(reading);
        }
    }

    /// <summary>Reads the rows of a file in batches of <see cref="ConsumableImportOptions.RowsPerChunk"/>, until its end or a row it cannot read.</summary>
    private async Task ReadRowsAsync(ConsumableSheetReader reader, ChannelWriter<List<(int Row, string[] Cells)>> batches, Action<RowError> error, CancellationToken cancellationToken)
    {
        try
        {
            var batch = new List<(int Row, string[] Cells)>(options.RowsPerChunk);
            while (TryRead(reader, error, out var row, out var cells))
            {
                batch.Add((row, cells));
                if (batch.Count == options.RowsPerChunk)
                {
                    await batches.WriteAsync(batch, cancellationToken);
                    batch = new List<(int Row, string[] Cells)>(options.RowsPerChunk);
                }
            }
            if (batch.Count > 0)
            {
                await batches.WriteAsync(batch, cancellationToken);
            }
        }
        finally
        {
            batches.Complete();
        }
    }

    /// <summary>
    /// Reads the checked file again and writes it in chunks; returns the rows written. The file is
    /// read and parsed on another thread while the chunks before are written: the writes keep one
    /// core busy (SQLite writes in this process), and reading would otherwise wait for them.
    /// </summary>
    private async Task<int> WriteAsync(WriteContext unit, string path, ConsumableCodeFileKind kind, string runId, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var chunks = Channel.CreateBounded<List<object>>(new BoundedChannelOptions(ChunksAhead) { SingleReader = true, SingleWriter = true });
        var reading = Task.Run(() => ReadChunksAsync(path, kind, chunks.Writer, stop.Token), CancellationToken.None);
        var written = 0;
        try
        {
            await foreach (var chunk in chunks.Reader.ReadAllAsync(CancellationToken.None))
            {
                await ConsumableCodeRepository.WriteChunkAsync(unit.Dialect, unit.Connection, unit.Transaction, kind, chunk, runId);
                written += chunk.Count;
            }
        }
        catch
        {
            // A failed write stops the reading; the write's failure is the one reported.
            await stop.CancelAsync();
            await Task.WhenAny(reading);
            throw;
        }
        // The reading's own failure (the file changed since it was checked, or a cancellation).
        await reading;
        await ConsumableCodeRepository.FinishAsync(unit.Connection, unit.Transaction, kind, runId);
        return written;
    }

    /// <summary>Chunks read ahead of the one being written, at most: the memory a file takes is a few chunks.</summary>
    private const int ChunksAhead = 2;

    private async Task ReadChunksAsync(string path, ConsumableCodeFileKind kind, ChannelWriter<List<object>> chunks, CancellationToken cancellationToken)
    {
        void Fail(RowError error) => throw new ProcurementException(ErrorCodes.ConcurrentChange, $"The file changed while it was imported (row {error.Row}: {error.Message}); nothing of it was written.", "file");
        try
        {
            using var reader = Opened(path, Fail)!;
            var parser = Parser(reader, kind, Fail)!;
            var chunk = new List<object>(options.RowsPerChunk);
            while (TryRead(reader, Fail, out var row, out var cells))
            {
                cancellationToken.ThrowIfCancellationRequested();
                chunk.Add(parser.Parse(row, cells, Fail)!.Value.Row);
                if (chunk.Count == options.RowsPerChunk)
                {
                    await chunks.WriteAsync(chunk, cancellationToken);
                    chunk = new List<object>(options.RowsPerChunk);
                }
            }
            if (chunk.Count > 0)
            {
                await chunks.WriteAsync(chunk, cancellationToken);
            }
        }
        finally
        {
            chunks.Complete();
        }
    }

    private static ConsumableSheetReader? Opened(string path, Action<RowError> error)
    {
        try
        {
            return ConsumableSheetReader.Open(path);
        }
        catch (System.Text.DecoderFallbackException)
        {
            // The header row is read on opening.
            error(new RowError(0, "file", ErrorCodes.FileEncoding, CsvEncoding.Undecodable(CsvEncoding.Gb18030, "in its header row").Message));
            return null;
        }
        catch (Exception ex) when (Unreadable(ex))
        {
            error(new RowError(0, "file", ErrorCodes.MalformedFile, Unreadable(path)));
            return null;
        }
    }

    private static bool TryRead(ConsumableSheetReader reader, Action<RowError> error, out int row, out string[] cells)
    {
        try
        {
            return reader.TryRead(out row, out cells);
        }
        catch (System.Text.DecoderFallbackException)
        {
            var refusal = CsvEncoding.Undecodable(reader.Encoding!, $"past its row {reader.LastRow}");
            error(new RowError(0, "file", refusal.Code, refusal.Message));
            row = 0;
            cells = [];
            return false;
        }
        catch (Exception ex) when (Unreadable(ex))
        {
            error(new RowError(0, "file", ErrorCodes.MalformedFile, $"The file cannot be read past its row {reader.LastRow}: {ex.Message}"));
            row = 0;
            cells = [];
            return false;
        }
    }

    private static ConsumableRowParser? Parser(ConsumableSheetReader reader, ConsumableCodeFileKind kind, Action<RowError> error)
    {
        if (reader.Header.Length == 0)
        {
            error(new RowError(0, "header", ErrorCodes.MalformedFile, "The file is empty: it has no header row."));
            return null;
        }
        var (positions, missing) = ConsumableColumns.Locate(kind, reader.Header);
        foreach (var column in missing)
        {
            error(new RowError(0, column, ErrorCodes.MalformedFile,
                $"The header has no {column} column (one of: {ConsumableColumns.HeadersOf(kind, column)}); a {kind.ToString().ToLowerInvariant()} file needs it."));
        }
        return missing.Count == 0 ? new ConsumableRowParser(kind, positions) : null;
    }

    private static bool Unreadable(Exception ex) =>
        ex is InvalidDataException or IOException or InvalidOperationException or System.Xml.XmlException or CsvHelper.CsvHelperException or NotSupportedException;

    private static string Unreadable(string path) =>
        ConsumableSheetReader.IsXlsx(path) ? "The file is not a readable XLSX workbook." : "The file is not a readable CSV file.";

    private static string Key(object row) => row switch
    {
        ConsumableCodeRow code => code.Code.Value,
        DeactivatedCodeRow deactivated => deactivated.Code,
        TranscodingRow transcoding => transcoding.OldCode,
        _ => "",
    };

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    private static ConsumableImportResult Refused(string fileName, ConsumableCodeFileKind kind, string sha256, List<RowError> errors, int moreErrors) =>
        new(fileName, kind, sha256, ConsumableImportOutcome.Refused, 0, errors, moreErrors);

    /// <summary>Records the refusal as a failed run (nothing else of the file is written) and returns it.</summary>
    private async Task<ConsumableImportResult> RefuseAsync(string fileName, ConsumableCodeFileKind kind, string sha256, DateTimeOffset started, int rows, List<RowError> errors, int moreErrors)
    {
        var run = new ConsumableImportRun(Guid.NewGuid().ToString("N"), fileName, sha256, kind, rows, errors.Count + moreErrors,
            started, time.GetUtcNow(), ConsumableImportRunStatus.Failed, errors[0].Message);
        await store.WriteAsync((connection, transaction) => ConsumableCodeRepository.RecordRunAsync(connection, transaction, run));
        return Refused(fileName, kind, sha256, errors, moreErrors);
    }
}
