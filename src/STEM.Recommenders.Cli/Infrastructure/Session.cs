using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using STEM.Recommenders.Evaluation.Reports;
using STEM.Recommenders.Runtime;

namespace STEM.Recommenders.Cli.Infrastructure;

/// <summary>
/// One invocation's view of the global options and its output streams. Results go to stdout,
/// progress and logs to stderr; with <c>--json</c> and no path stdout carries the JSON document
/// alone, so human-readable results move to stderr.
/// </summary>
internal sealed class Session
{
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;
    private readonly string? _jsonPath;
    private readonly IAnsiConsole _results;
    private readonly bool _resultsAreTerminal;

    public Session(ParseResult parse, GlobalOptions options, TextWriter stdout, TextWriter stderr)
    {
        _stdout = stdout;
        _stderr = stderr;
        Quiet = parse.GetValue(options.Quiet);
        if (parse.GetResult(options.Json) is { Implicit: false })
        {
            WantsJson = true;
            var path = parse.GetValue(options.Json);
            _jsonPath = string.IsNullOrWhiteSpace(path) || path == "-" ? null : path;
        }

        Device = parse.GetValue(options.Device);
        Threads = parse.GetValue(options.Threads);
        Seed = parse.GetValue(options.Seed);

        // Only the process's own console can be a terminal; writers handed in by a test or a host
        // are treated as files.
        var stdoutIsTerminal = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
        StderrIsTerminal = ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;
        Errors = CreateConsole(stderr, StderrIsTerminal);
        _results = JsonToStdout ? Errors : CreateConsole(stdout, stdoutIsTerminal);
        _resultsAreTerminal = JsonToStdout ? StderrIsTerminal : stdoutIsTerminal;
    }

    public bool Quiet { get; }

    public bool WantsJson { get; }

    public bool JsonToStdout => WantsJson && _jsonPath is null;

    /// <summary>Fails now, before any work, when the --json file cannot be written.</summary>
    public void CheckJsonPathWritable()
    {
        if (_jsonPath is not null)
        {
            OutputPaths.CheckWritableFile("--json", _jsonPath);
        }
    }

    public ComputeDevice? Device { get; }

    public int? Threads { get; }

    public long? Seed { get; }

    public bool StderrIsTerminal { get; }

    public TextWriter Stdout => _stdout;

    public TextWriter Stderr => _stderr;

    /// <summary>Whether human-readable results are shown at all (not with --quiet when stdout carries JSON).</summary>
    public bool ShowResults => !(JsonToStdout && Quiet);

    /// <summary>stderr, for progress bars.</summary>
    public IAnsiConsole Errors { get; }

    /// <summary>A log line on stderr (none with --quiet).</summary>
    public void Info(string line)
    {
        if (!Quiet)
        {
            _stderr.WriteLine(line);
        }
    }

    /// <summary>Starts the native runtime with --device and --threads.</summary>
    public TorchSharp.torch.Device StartRuntime() =>
        TorchRuntime.Initialize(new TorchRuntimeOptions { Device = Device ?? ComputeDevice.Auto, Threads = Threads });

    /// <summary>Writes the --json document, when one was asked for.</summary>
    public async Task WriteJsonAsync<T>(T document, CancellationToken cancellationToken)
    {
        if (!WantsJson)
        {
            return;
        }

        var text = JsonSerializer.Serialize(document, ReportJson.Options);
        if (_jsonPath is null)
        {
            await _stdout.WriteLineAsync(text.AsMemory(), cancellationToken);
            await _stdout.FlushAsync(cancellationToken);
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(_jsonPath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        await File.WriteAllTextAsync(_jsonPath, text + Environment.NewLine, cancellationToken);
        Info($"JSON written to {_jsonPath}");
    }

    public Table NewTable() => new Table().Border(_resultsAreTerminal ? TableBorder.Rounded : TableBorder.Markdown);

    /// <summary>A plain line of results.</summary>
    public void Result(string line) => ResultsWriter.WriteLine(line);

    /// <summary>Renders a result table: drawn on a terminal, a clean Markdown table in files and pipes.</summary>
    public void WriteTable(Table table, string? title = null)
    {
        if (_resultsAreTerminal)
        {
            if (title is not null)
            {
                table.Title(Markup.Escape(title));
            }

            _results.Write(table);
            return;
        }

        // Spectre pads the Markdown border's empty top and bottom rows with spaces; drop them so
        // that the output can be pasted into a document as it is.
        using var buffer = new StringWriter();
        CreateConsole(buffer, terminal: false).Write(table);
        if (title is not null)
        {
            ResultsWriter.WriteLine(title);
        }

        foreach (var line in buffer.ToString().Split('\n'))
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                ResultsWriter.WriteLine(line.TrimEnd());
            }
        }

        ResultsWriter.WriteLine();
    }

    private TextWriter ResultsWriter => JsonToStdout ? _stderr : _stdout;

    private static IAnsiConsole CreateConsole(TextWriter writer, bool terminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
            Enrichment = new ProfileEnrichment { UseDefaultEnrichers = terminal },
        });
        if (!terminal)
        {
            // Files and pipes get the whole table on one line per row rather than an 80-column wrap.
            console.Profile.Width = 200;
        }

        return console;
    }
}
