using System.Globalization;
using System.Text.Json;
using STEM.Recommenders.Data;
using STEM.Recommenders.Hosting;

namespace Serving;

/// <summary>The scoring API: <c>POST /score</c> and <c>GET /health</c> over one model artifact.</summary>
public static class ServingApp
{
    /// <summary>The most rows one request may score.</summary>
    public const int MaxRows = 10_000;

    /// <summary>
    /// Builds the app. Configuration (appsettings.json, environment, command line) supplies
    /// Stem:ArtifactPath (relative to the working directory) and the listening URLs.
    /// </summary>
    /// <param name="args">Command-line arguments, e.g. <c>--Stem:ArtifactPath=DIR --urls=http://127.0.0.1:0</c>.</param>
    /// <param name="contentRoot">Where appsettings.json is read from; the app's base directory by default.</param>
    public static WebApplication Build(string[] args, string? contentRoot = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = contentRoot ?? AppContext.BaseDirectory });
        builder.Services.AddStemRecommenders(builder.Configuration.GetSection("Stem"));
        ScoringBackends.Add(builder.Services, builder.Configuration);
        builder.Services.AddProblemDetails();
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();

        // Load the model now: a wrong Stem:ArtifactPath (or Serving:OnnxModelPath) fails at start, not on the first request.
        _ = app.Services.GetRequiredService<IScoringBackend>();

        app.MapGet("/health", (IScoringBackend backend) => new HealthResponse(
            "ok",
            backend.Model,
            backend.TaskNames,
            backend.LibraryVersion,
            backend.CreatedUtc,
            backend.Name));
        app.MapPost("/score", ScoreAsync);
        return app;
    }

    private static async Task<IResult> ScoreAsync(HttpRequest request, IScoringBackend predictor, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return Invalid("Send the rows as JSON (Content-Type: application/json).", StatusCodes.Status415UnsupportedMediaType);
        }

        ScoreRequest? body;
        try
        {
            body = await request.ReadFromJsonAsync<ScoreRequest>(cancellationToken);
        }
        catch (JsonException e)
        {
            return Invalid($"Malformed JSON: {e.Message}");
        }

        if (body?.Rows is not { Count: > 0 } rows)
        {
            return Invalid("The body must be {\"rows\": [{\"column\": value, ...}, ...]} with at least one row.");
        }

        if (rows.Count > MaxRows)
        {
            return Invalid($"At most {MaxRows} rows per request; this one has {rows.Count}.");
        }

        var raw = new IReadOnlyDictionary<string, string?>[rows.Count];
        for (var r = 0; r < rows.Count; r++)
        {
            if (rows[r] is not { } row)
            {
                return Invalid($"Row {r + 1} is null; every row must be an object of column → value.");
            }

            var values = new Dictionary<string, string?>(row.Count, StringComparer.Ordinal);
            foreach (var (column, value) in row)
            {
                if (!TryConvert(value, out var text))
                {
                    return Invalid($"Row {r + 1}, column {column}: expected a string, a number or null, not {value.ValueKind.ToString().ToLowerInvariant()}.");
                }

                values[column] = text;
            }

            raw[r] = values;
        }

        try
        {
            return Results.Ok(new ScoreResponse(predictor.TaskNames, predictor.PredictBatch(raw)));
        }
        catch (DataFormatException error)
        {
            // e.g. "request, line 2, column hourmin: 'noon' is not a number (feature 'hour')".
            return Invalid(error.Message);
        }
    }

    /// <summary>A JSON value as the raw text the feature pipeline reads; numbers are written invariantly.</summary>
    private static bool TryConvert(JsonElement value, out string? text)
    {
        text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number when value.TryGetInt64(out var integer) => integer.ToString(CultureInfo.InvariantCulture),
            JsonValueKind.Number when value.TryGetDouble(out var real) => real.ToString("R", CultureInfo.InvariantCulture),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        return value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.Null;
    }

    private static IResult Invalid(string detail, int status = StatusCodes.Status400BadRequest) =>
        Results.Problem(detail: detail.ReplaceLineEndings(" "), statusCode: status, title: "Invalid scoring request");
}

/// <summary>The body of <c>POST /score</c>.</summary>
/// <param name="Rows">Rows of column → value (a string, a number or null); missing columns are missing values.</param>
public sealed record ScoreRequest(IReadOnlyList<Dictionary<string, JsonElement>?>? Rows);

/// <summary>The answer of <c>POST /score</c>.</summary>
/// <param name="Tasks">Task names, in output order.</param>
/// <param name="Scores">For each row, task → probability.</param>
public sealed record ScoreResponse(IReadOnlyList<string> Tasks, IReadOnlyList<IReadOnlyDictionary<string, double>> Scores);

/// <summary>The answer of <c>GET /health</c>.</summary>
public sealed record HealthResponse(string Status, string Model, IReadOnlyList<string> Tasks, string LibraryVersion, DateTimeOffset? ArtifactCreatedUtc, string Backend);
