using System.CommandLine;
using STEM.Recommenders.Cli.Commands;
using STEM.Recommenders.Cli.Infrastructure;

namespace STEM.Recommenders.Cli;

/// <summary>The command tree of one invocation, bound to its output streams.</summary>
internal sealed class StemApp
{
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;
    private readonly GlobalOptions _globals = new();

    public StemApp(TextWriter stdout, TextWriter stderr)
    {
        _stdout = stdout;
        _stderr = stderr;
        Root = new RootCommand("stem: train, evaluate, compare, tune, serve and export (PyTorch/TorchRec) multi-task recommendation models (STEM-Net, MMoE, PLE, ...), and pretrain CLUE user representations (pretrain, embed, scale). docs/cli.md has the details.");
        _globals.AddTo(Root);
        Root.Subcommands.Add(TrainCommand.Create(this));
        Root.Subcommands.Add(EvaluateCommand.Create(this));
        Root.Subcommands.Add(PredictCommand.Create(this));
        Root.Subcommands.Add(CompareCommand.Create(this));
        Root.Subcommands.Add(TuneCommand.Create(this));
        Root.Subcommands.Add(PretrainCommand.Create(this));
        Root.Subcommands.Add(EmbedCommand.Create(this));
        Root.Subcommands.Add(ScaleCommand.Create(this));
        Root.Subcommands.Add(ExportCommand.Create(this));
    }

    public RootCommand Root { get; }

    /// <summary>The options every command takes.</summary>
    public GlobalOptions Options => _globals;

    public Session Open(ParseResult parse) => new(parse, _globals, _stdout, _stderr);
}
