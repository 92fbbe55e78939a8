using Google.Protobuf;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Onnx.Graph;

/// <summary>
/// An ONNX graph under construction: nodes, float32 initializers and constants, with names made
/// unique. Module and model writers append to it; <see cref="Module"/> dispatches a TorchSharp
/// module to the writer registered for its type.
/// </summary>
public sealed class OnnxGraph
{
    private readonly GraphProto _graph = new();
    private readonly HashSet<string> _initializers = new(StringComparer.Ordinal);
    private readonly Func<Type, IOnnxModuleWriter?> _writers;
    private int _next;
    private string _weightScope = string.Empty;

    internal OnnxGraph(string name, Func<Type, IOnnxModuleWriter?> writers)
    {
        _graph.Name = name;
        _writers = writers;
    }

    internal GraphProto Proto => _graph;

    /// <summary>Appends a node with one output and returns the output's name.</summary>
    /// <param name="opType">The operator, e.g. "MatMul".</param>
    /// <param name="inputs">Input names; an empty string is an omitted optional input.</param>
    /// <param name="attributes">Attributes: long, float, string, long[], float[], string[] values.</param>
    /// <param name="domain">The operator set's domain: "" (ai.onnx) or "ai.onnx.ml".</param>
    public string Op(string opType, IReadOnlyList<string> inputs, IReadOnlyDictionary<string, object>? attributes = null, string domain = "")
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        var output = $"{opType}:{_next++}";
        var node = new NodeProto { OpType = opType, Name = output, Domain = domain };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        foreach (var (key, value) in attributes ?? new Dictionary<string, object>())
        {
            node.Attribute.Add(Attribute(key, value));
        }

        _graph.Node.Add(node);
        return output;
    }

    /// <summary>Appends a node with one output and no attributes.</summary>
    public string Op(string opType, params string[] inputs) => Op(opType, (IReadOnlyList<string>)inputs);

    /// <summary>Adds a weight as a float32 initializer named <paramref name="name"/> (once; later calls reuse it).</summary>
    /// <param name="name">The initializer's name, e.g. the weight's state-dict path.</param>
    /// <param name="value">The tensor (any float dtype, any device; it is copied to the host as float32).</param>
    public string Weight(string name, Tensor value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        name = _weightScope + name;
        if (_initializers.Add(name))
        {
            using var scope = NewDisposeScope();
            var host = value.detach().to(ScalarType.Float32).cpu().contiguous();
            _graph.Initializer.Add(OnnxTensors.Float(name, host.data<float>().ToArray(), host.shape));
        }

        return name;
    }

    /// <summary>Adds a float32 constant.</summary>
    public string Constant(float[] values, params long[] dims) => AddConstant(OnnxTensors.Float(Fresh("const"), values, dims));

    /// <summary>Adds a float64 constant.</summary>
    public string Constant(double[] values, params long[] dims) => AddConstant(OnnxTensors.Double(Fresh("const"), values, dims));

    /// <summary>Adds an int64 constant.</summary>
    public string Constant(long[] values, params long[] dims) => AddConstant(OnnxTensors.Int64(Fresh("const"), values, dims));

    /// <summary>Adds a string constant.</summary>
    public string Constant(string[] values, params long[] dims) => AddConstant(OnnxTensors.String(Fresh("const"), values, dims));

    /// <summary>A 1-D int64 constant (shapes, axes, indices).</summary>
    public string Longs(params long[] values) => Constant(values, values.Length);

    /// <summary>A scalar int64 constant (an index that removes the dimension it selects).</summary>
    public string Scalar(long value) => Constant([value]);

    /// <summary>A scalar float32 constant.</summary>
    public string Scalar(float value) => Constant([value]);

    /// <summary>
    /// Writes a TorchSharp module with the writer registered for its type.
    /// </summary>
    /// <param name="module">The module.</param>
    /// <param name="path">Its state-dict path in the model (prefix of its weights' names).</param>
    /// <param name="inputs">Its inputs' names.</param>
    /// <returns>Its outputs' names.</returns>
    /// <exception cref="NotSupportedException">No writer is registered for the module's type; the message names the type and the path.</exception>
    public IReadOnlyList<string> Module(nn.Module module, string path, params string[] inputs)
    {
        ArgumentNullException.ThrowIfNull(module);
        var writer = _writers(module.GetType())
            ?? throw new NotSupportedException($"no ONNX writer for module type {module.GetType().FullName} (at '{path}'); register an IOnnxModuleWriter for it with OnnxExporter.Register");
        return writer.Write(this, module, path, inputs);
    }

    /// <summary>
    /// Prefixes the names of the weights added until the returned scope is disposed, so that a model
    /// written inside another (e.g. the copies of a per-task-selected model, "members.K.") keeps its
    /// own initializers instead of reusing another copy's of the same path.
    /// </summary>
    internal IDisposable WeightScope(string prefix)
    {
        var outer = _weightScope;
        _weightScope = outer + prefix;
        return new ScopeExit(() => _weightScope = outer);
    }

    /// <summary>A module's child by name.</summary>
    /// <exception cref="NotSupportedException">The module has no such child (a writer was given a module of another shape).</exception>
    public static nn.Module Child(nn.Module module, string name)
    {
        ArgumentNullException.ThrowIfNull(module);
        foreach (var (childName, child) in module.named_children())
        {
            if (childName == name)
            {
                return child;
            }
        }

        throw new NotSupportedException($"{module.GetType().Name} has no child module '{name}'");
    }

    /// <summary>The children of a module list, in order.</summary>
    public static IReadOnlyList<nn.Module> Children(nn.Module list)
    {
        ArgumentNullException.ThrowIfNull(list);
        return list.named_children().Select(c => c.module).ToArray();
    }

    internal void Input(string name, TensorProto.Types.DataType type, params object[] dims) => _graph.Input.Add(ValueInfo(name, type, dims));

    internal void Output(string name, TensorProto.Types.DataType type, params object[] dims) => _graph.Output.Add(ValueInfo(name, type, dims));

    /// <summary>Gives a node's output its final name (an Identity node, so the graph's output is named as documented).</summary>
    internal void Rename(string from, string to)
    {
        var node = new NodeProto { OpType = "Identity", Name = to };
        node.Input.Add(from);
        node.Output.Add(to);
        _graph.Node.Add(node);
    }

    private string Fresh(string prefix) => $"{prefix}:{_next++}";

    private string AddConstant(TensorProto tensor)
    {
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim switch
            {
                string symbolic => new TensorShapeProto.Types.Dimension { DimParam = symbolic },
                _ => new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture) },
            });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    private static AttributeProto Attribute(string name, object value) => value switch
    {
        int i => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = i },
        long l => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = l },
        float f => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = f },
        string s => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(s) },
        long[] ls => WithList(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints }, a => a.Ints.AddRange(ls)),
        float[] fs => WithList(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats }, a => a.Floats.AddRange(fs)),
        string[] ss => WithList(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings }, a => a.Strings.AddRange(ss.Select(ByteString.CopyFromUtf8))),
        TensorProto t => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = t },
        _ => throw new ArgumentException($"Attribute '{name}': values of type {value.GetType().Name} are not supported.", nameof(value)),
    };

    private static AttributeProto WithList(AttributeProto attribute, Action<AttributeProto> fill)
    {
        fill(attribute);
        return attribute;
    }

    private sealed class ScopeExit(Action exit) : IDisposable
    {
        public void Dispose() => exit();
    }
}
