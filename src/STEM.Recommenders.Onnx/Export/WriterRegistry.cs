using STEM.Recommenders.Models;
using STEM.Recommenders.Onnx.Graph;
using STEM.Recommenders.Onnx.Writers.Models;
using STEM.Recommenders.Onnx.Writers.Modules;

namespace STEM.Recommenders.Onnx;

/// <summary>The module and model writers, by exact type: the built-in ones and those registered by users.</summary>
internal static class WriterRegistry
{
    private static readonly object Gate = new();

    private static readonly Dictionary<Type, IOnnxModuleWriter> Modules = new IOnnxModuleWriter[]
    {
        new EmbeddingBankWriter(),
        new StackedMlpWriter(),
        new ExpertPoolWriter(),
        new AfTbGateWriter(),
        new TaskTowerWriter(),
        new LinearWriter(),
        new MlpWriter(),
        new MlpBlockWriter(),
        new BatchNorm1dWriter(),
    }.ToDictionary(w => w.ModuleType);

    private static readonly Dictionary<Type, IOnnxModelWriter> Models = new IOnnxModelWriter[]
    {
        new StemLayerStackWriter(typeof(StemNet)),
        new StemLayerStackWriter(typeof(MeMmoe)),
        new MmoeWriter(),
        new OmoeWriter(),
        new PleWriter(typeof(Ple)),
        new PleWriter(typeof(MePle)),
        new SharedBottomWriter(),
        new SingleTaskWriter(),
        new EsmmWriter(),
        new AitmWriter(),
        new PerTaskSelectedWriter(),
    }.ToDictionary(w => w.ModelType);

    public static void Add(IOnnxModuleWriter writer)
    {
        lock (Gate)
        {
            Modules[writer.ModuleType] = writer;
        }
    }

    public static void Add(IOnnxModelWriter writer)
    {
        lock (Gate)
        {
            Models[writer.ModelType] = writer;
        }
    }

    public static IOnnxModuleWriter? Module(Type type)
    {
        lock (Gate)
        {
            return Modules.GetValueOrDefault(type);
        }
    }

    public static IOnnxModelWriter? Model(Type type)
    {
        lock (Gate)
        {
            return Models.GetValueOrDefault(type);
        }
    }
}
